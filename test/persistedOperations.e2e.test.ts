import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@baedal/stack';
import { FIXTURES } from './support/federationFixtures';
import { gatewaysOver } from './support/fixtureGateways';

/*
 * Operations sent by hash, through Baedal's gateway processes over the
 * commands fixture: automatic persisted queries are shared by every process
 * through Redis and still work in one process without Redis; in
 * trusted-documents mode only the operations registered with
 * `npm run operations -- register` run, by hash or by their exact text.
 */

const PREFIX = `baedal_t_persisted_${process.pid}`;
process.env.BAEDAL_LOG_LEVEL ??= 'warn';

const fixture = FIXTURES.find((f) => f.name.startsWith('commands'))!;
const READ = 'query Read($id: ID!) { counter(id: $id) { value } }';
const INCREMENT = 'mutation Increment($id: ID!) { increment(id: $id, by: 1) { value } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const gateways = gatewaysOver(fixture, PREFIX);
beforeAll(() => gateways.start(), 60_000);
afterAll(() => gateways.stop());
const gateway = (env: Record<string, string>, prefix?: string) => gateways.gateway(env, prefix);

type Answer = { status: number; body: { data?: unknown; errors?: { extensions: { code: string } }[] } };
async function send(url: string, payload: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ variables: { id: 'persisted' }, ...payload }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}
const byHash = (query: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
const code = (answer: Answer) => answer.body.errors?.[0].extensions.code;

describe('automatic persisted queries', () => {
  it('registered through one gateway process are known to every other, through Redis', async () => {
    const prefix = `${PREFIX}_shared`;
    const [first, second] = [await gateway({}, prefix), await gateway({}, prefix)];
    expect(code(await send(second, byHash(READ)))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await send(first, { query: READ, ...byHash(READ) })).body.errors).toBeUndefined();
    const answer = await send(second, byHash(READ));
    expect(answer.body).toEqual({ data: { counter: null } });
  }, 60_000);

  it('keep working in a process while Redis is away', async () => {
    const url = await gateway({ BAEDAL_REDIS_URL: 'redis://127.0.0.1:1' }, `${PREFIX}_alone`);
    expect((await send(url, { query: READ, ...byHash(READ) })).body.errors).toBeUndefined();
    expect((await send(url, byHash(READ))).body).toEqual({ data: { counter: null } });
  }, 60_000);
});

describe('trusted documents', () => {
  let url: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-app-'));
    fs.writeFileSync(path.join(dir, 'Read.graphql'), READ);
    const manifest = path.join(dir, 'manifest.json');
    execFileSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'gateway/dist/registerOperations.js'),
        'register',
        dir,
        '--out',
        manifest,
        '--supergraph',
        gateways.supergraphPath,
      ],
      { stdio: 'ignore' },
    );
    url = await gateway(
      { BAEDAL_TRUSTED_DOCUMENTS: 'true', BAEDAL_TRUSTED_DOCUMENTS_PATH: manifest },
      `${PREFIX}_trusted`,
    );
  }, 60_000);

  it('run a registered operation by its hash or its exact text', async () => {
    expect((await send(url, byHash(READ))).body).toEqual({ data: { counter: null } });
    expect((await send(url, { query: READ })).body).toEqual({ data: { counter: null } });
  });

  it('refuse any other operation, sent as text, by hash or registered as an APQ, before it runs', async () => {
    for (const payload of [
      { query: INCREMENT },
      byHash(INCREMENT),
      { query: INCREMENT, ...byHash(INCREMENT) },
      { query: `${READ} ` },
    ]) {
      const answer = await send(url, payload);
      expect([answer.status, code(answer), answer.body.data]).toEqual([400, 'PERSISTED_QUERY_NOT_ALLOWED', undefined]);
    }
    // The mutation never ran: the counter was never made.
    expect((await send(url, { query: READ })).body).toEqual({ data: { counter: null } });
  });
});
