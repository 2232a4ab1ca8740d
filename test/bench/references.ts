import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SERVICES } from '@baedal/platform';
import type { Stack } from '@baedal/stack';
import { operationKey } from './fixtures';
import { body, post, type Body } from './load';
import { BASE, COLD_ONLY, env, LOGS, runs } from './options';
import { CLAIM, PAY, PLACE, type Commands } from './scenarios/commands';

/*
 * The two references every row is measured against, in the same run:
 * (a) a bare Node server answering the same requests with the bytes Baedal
 * answered, and (b) a plain @apollo/gateway over the same subgraphs.
 */

export interface References {
  bare: string;
  naive: string;
  /** Both, by their name in the report. */
  list: [string, string][];
  children: ChildProcess[];
}

function forkReady(file: string, extra: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // As the platform's own processes run (the stack sets NODE_ENV=production for them).
    const child = fork(path.join(__dirname, file), [], {
      env: { ...process.env, ...env, NODE_ENV: 'production', ...extra },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${file} exited ${code}`)));
  });
}

/** Records the answers (a) will give, from Baedal, then starts both references. */
export async function startReferences(
  stack: Stack,
  sets: [string, Body[]][],
  { placeAndPayOne, createCampaign, tokens }: Commands,
): Promise<References> {
  const gateway = stack.gatewayUrl;
  const fixtures: Record<string, string> = {};
  if (runs('reads') || COLD_ONLY || runs('degraded')) {
    // Fresh answers only: a cold search under concurrency can outlast the gateway's subgraph timeout,
    // and the fallback copy it then answers with is marked stale.
    const fresh = async (b: Body) => {
      let text = '';
      for (let attempt = 0; attempt < 5; attempt++) {
        text = (await post(gateway, b)).text;
        if (!text.includes('"stale"')) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return text;
    };
    for (const [, bodies] of sets) {
      const distinct = [...new Set(bodies)];
      for (let i = 0; i < distinct.length; i += 8) {
        await Promise.all(distinct.slice(i, i + 8).map(async (b) => (fixtures[b] = await fresh(b))));
      }
    }
  }
  if (runs('orders')) {
    const one = await placeAndPayOne(gateway, 0);
    if (one.failure) throw new Error(`cannot place and pay an order for the references: ${one.failure}`);
    fixtures[operationKey(PLACE)] = one.placed;
    fixtures[operationKey(PAY)] = one.paid!;
  }
  if (runs('coupons')) {
    const sample = await createCampaign('bench reference answer', 1);
    fixtures[operationKey(CLAIM)] = (await post(gateway, body(CLAIM, { c: sample }), tokens[0])).text;
  }
  const fixturesPath = path.join(LOGS, 'fixtures.json');
  fs.writeFileSync(fixturesPath, JSON.stringify(fixtures));
  const children = [await forkReady('bareServer.js', { BENCH_FIXTURES: fixturesPath, BENCH_PORT: String(BASE + 30) })];
  const subgraphUrls = Object.fromEntries(
    SERVICES.map((s) => [`${s.toUpperCase()}_URL`, `http://127.0.0.1:${stack.port(s)}/graphql`]),
  );
  try {
    children.push(await forkReady('naiveGateway.js', { ...subgraphUrls, BENCH_PORT: String(BASE + 31) }));
  } catch (error) {
    // Nothing else would stop the reference already started, and the next run would find its port taken.
    for (const child of children) child.kill();
    throw error;
  }
  const bare = `http://127.0.0.1:${BASE + 30}/graphql`;
  const naive = `http://127.0.0.1:${BASE + 31}/graphql`;
  return {
    bare,
    naive,
    list: [
      ['bare server (a)', bare],
      ['plain @apollo/gateway (b)', naive],
    ],
    children,
  };
}
