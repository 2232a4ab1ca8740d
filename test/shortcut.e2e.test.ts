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
import { FIXTURES, type Fixture, type FixtureQuery } from './support/federationFixtures';
import { gatewayMetrics } from './support/graphql';
import { startPlainGateway } from './support/plainGateway';
import { REPO_ROOT } from '@baedal/stack';
import { deleteRedisKeys, eventually } from './support/stack';

/*
 * The differential test of the single-subgraph shortcut: for each fixture
 * supergraph (test/support/federationFixtures.ts), its small subgraphs are
 * started, Baedal's real gateway process is started over that supergraph, and
 * so is a plain @apollo/gateway (the standard path); every query and command is
 * sent to both and the answers compared after JSON normalization. The
 * shortcut must take exactly the queries marked for it (read from the
 * gateway's metrics), so the comparison exercises it, and decline the rest.
 */

interface Running {
  stop(): Promise<void>;
}

const PREFIX = `baedal_t_shortcut_${process.pid}`;
// The fixture subgraphs run in this process: only their warnings are wanted.
process.env.BAEDAL_LOG_LEVEL ??= 'warn';

/** Parsed and normalized: object keys sorted; errors reduced to what both gateways promise (message, path, code). */
function normalized(text: string, gateway: string): unknown {
  const answer = JSON.parse(text.replaceAll(`${gateway}:`, 'GATEWAY:')) as {
    data?: unknown;
    errors?: { message: string; path?: unknown; extensions?: { code?: unknown } }[];
  };
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, sort(v)]),
          )
        : value;
  return sort({
    data: answer.data,
    errors: answer.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })),
  });
}

async function startFixtureSubgraph(
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

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Baedal's gateway as it runs in production: its own process, over the fixture's supergraph file. */
async function startBaedalGateway(supergraphPath: string, name: string): Promise<{ url: string } & Running> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'server.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      GATEWAY_PORT: String(port),
      GATEWAY_WORKERS: '1',
      BAEDAL_SUPERGRAPH_PATH: supergraphPath,
      BAEDAL_REDIS_PREFIX: `${PREFIX}_${name}`,
      BAEDAL_LOG_LEVEL: 'warn',
      // Every answer is computed, so the route each query takes shows.
      BAEDAL_RESPONSE_CACHE_TTL_MS: '0',
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

async function post(url: string, { query, variables }: FixtureQuery, gateway: string): Promise<string> {
  const vars = JSON.parse(JSON.stringify(variables ?? {}).replaceAll('GATEWAY:', `${gateway}:`)) as object;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: vars }),
  });
  return response.text();
}

/** How many operations the shortcut answered so far (reads and commands, every subgraph). */
async function shortcutAnswers(url: string): Promise<number> {
  const text = await gatewayMetrics(url);
  return [...text.matchAll(/baedal_single_subgraph_(?:reads|commands)_total\{[^}]*result="answered"\} (\d+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

describe.each(FIXTURES.map((f) => [f.name, f] as const))(
  'the shortcut answers as @apollo/gateway: %s',
  (_, fixture) => {
    const running: Running[] = [];
    let baedal: string;
    let plain: string;

    beforeAll(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-fixture-'));
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
      const gateways = await Promise.all([
        startBaedalGateway(supergraphPath, fixture.subgraphs[0].name),
        startPlainGateway(composed.supergraphSdl),
      ]);
      running.push(...gateways);
      [baedal, plain] = gateways.map((g) => g.url);
    }, 60_000);

    afterAll(async () => {
      for (const r of running.reverse()) await r.stop();
      await deleteRedisKeys(`${PREFIX}_${fixture.subgraphs[0].name}`);
    });

    it.each(fixture.queries.map((q) => [q.query, q] as const))('%s', async (_, query) => {
      const before = await shortcutAnswers(baedal);
      const ours = await post(baedal, query, 'baedal');
      const shortcut = (await shortcutAnswers(baedal)) > before;
      const theirs = await post(plain, query, 'plain');
      expect(normalized(ours, 'baedal')).toEqual(normalized(theirs, 'plain'));
      expect(shortcut).toBe(query.shortcut);
    });

    if (fixture.commands?.length) {
      it('commands, one by one: the same answers and errors, each sent once', async () => {
        for (const command of fixture.commands!) {
          const before = await shortcutAnswers(baedal);
          const ours = await post(baedal, command, 'baedal');
          expect([command.query, (await shortcutAnswers(baedal)) > before]).toEqual([command.query, command.shortcut]);
          const theirs = await post(plain, command, 'plain');
          expect([command.query, normalized(ours, 'baedal')]).toEqual([command.query, normalized(theirs, 'plain')]);
        }
      });

      it('commands arriving together (gathered into one request): the same answers', async () => {
        const batch = Array.from({ length: 12 }, (_, i) => fixture.commands![i % fixture.commands!.length]).map(
          (c, i) => ({
            ...c,
            variables: { id: `GATEWAY:g${i}${String(c.variables?.id).endsWith('missing') ? 'missing' : ''}` },
          }),
        );
        const ours = await Promise.all(batch.map((c) => post(baedal, c, 'baedal')));
        const theirs = await Promise.all(batch.map((c) => post(plain, c, 'plain')));
        expect(ours.map((t) => normalized(t, 'baedal'))).toEqual(theirs.map((t) => normalized(t, 'plain')));
        // Some went together: more commands than requests to the subgraph.
        const metrics = await gatewayMetrics(baedal);
        const read = (what: string) =>
          Number(
            new RegExp(`baedal_gathered_commands_${what}\\{subgraph="counters"\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
          );
        expect(read('sum')).toBeGreaterThan(read('count'));
      });
    }
  },
);
