import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { startSubgraph, type ServiceName } from '@baedal/platform';
import { REPO_ROOT } from '@baedal/stack';
import type { Fixture, FixtureQuery } from './federationFixtures';
import { gatewayMetrics } from './graphql';
import { deleteRedisKeys, eventually } from './stack';

/*
 * Federation fixtures at run time: their small subgraphs started in this
 * process, and Baedal's real gateway process over their supergraph.
 */

export interface Running {
  stop(): Promise<void>;
}

export async function startFixtureSubgraph(
  subgraph: Fixture['subgraphs'][number],
  dir: string,
): Promise<{ url: string } & Running> {
  const typeDefs = parse(subgraph.typeDefs);
  if (subgraph.baedal) {
    const schemaPath = path.join(dir, `${subgraph.name}.graphql`);
    fs.writeFileSync(schemaPath, subgraph.typeDefs);
    const running = await startSubgraph({
      name: subgraph.name as ServiceName,
      schemaPath,
      resolvers: subgraph.resolvers,
      createLoaders: () => ({}),
      checkReady: () => Promise.resolve(),
      port: 0,
    });
    return { url: running.url, stop: () => running.stop() };
  }
  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs, resolvers: subgraph.resolvers as never }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Baedal's gateway as it runs in production: its own process, over the fixture's supergraph file. */
export async function startBaedalGateway(
  supergraphPath: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ url: string } & Running> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'server.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      GATEWAY_PORT: String(port),
      GATEWAY_WORKERS: '1',
      BAEDAL_SUPERGRAPH_PATH: supergraphPath,
      BAEDAL_REDIS_PREFIX: prefix,
      BAEDAL_LOG_LEVEL: 'warn',
      // Every answer is computed, so the route each query takes shows.
      BAEDAL_RESPONSE_CACHE_TTL_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await eventually(
    'the gateway to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
      return (await fetch(`${base}/readyz`).catch(() => null))?.ok === true;
    },
    30_000,
    100,
  );
  return {
    url: `${base}/graphql`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function post(url: string, { query, variables }: FixtureQuery, gateway: string): Promise<string> {
  const vars = JSON.parse(JSON.stringify(variables ?? {}).replaceAll('GATEWAY:', `${gateway}:`)) as object;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: vars }),
  });
  return response.text();
}

/** How many operations the shortcut answered so far (reads and commands, every subgraph). */
export async function shortcutAnswers(url: string): Promise<number> {
  const text = await gatewayMetrics(url);
  return [...text.matchAll(/baedal_single_subgraph_(?:reads|commands)_total\{[^}]*result="answered"\} (\d+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

/** A fixture's subgraphs, started in this process, and their supergraph written to a file. */
export async function startFixture(
  fixture: Fixture,
): Promise<{ supergraphSdl: string; supergraphPath: string; running: Running[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-fixture-'));
  const running: Running[] = [];
  const subgraphs = [];
  for (const subgraph of fixture.subgraphs) {
    const started = await startFixtureSubgraph(subgraph, dir);
    running.push(started);
    subgraphs.push({ name: subgraph.name, url: started.url, typeDefs: parse(subgraph.typeDefs) });
  }
  const composed = composeServices(subgraphs);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const supergraphPath = path.join(dir, 'supergraph.graphql');
  fs.writeFileSync(supergraphPath, composed.supergraphSdl);
  return { supergraphSdl: composed.supergraphSdl, supergraphPath, running };
}

/**
 * A fixture's subgraphs and any number of Baedal gateway processes over them,
 * each keeping its Redis keys under a prefix of its own (gateways given one
 * prefix share their counts and caches); `stop` ends them all and deletes
 * every prefix's keys.
 */
export function gatewaysOver(fixture: Fixture, basePrefix: string, baseEnv: Record<string, string> = {}) {
  const running: Running[] = [];
  const prefixes = new Set<string>();
  let supergraphPath = '';
  let n = 0;
  return {
    get supergraphPath() {
      return supergraphPath;
    },
    async start(): Promise<void> {
      const started = await startFixture(fixture);
      running.push(...started.running);
      supergraphPath = started.supergraphPath;
    },
    /** A gateway process over the fixture: its GraphQL URL. */
    async gateway(env: Record<string, string> = {}, prefix = `${basePrefix}_${n++}`): Promise<string> {
      prefixes.add(prefix);
      const started = await startBaedalGateway(supergraphPath, prefix, { ...baseEnv, ...env });
      running.push(started);
      return started.url;
    },
    async stop(): Promise<void> {
      for (const r of running.reverse()) await r.stop();
      for (const prefix of prefixes) await deleteRedisKeys(prefix);
    },
  };
}
