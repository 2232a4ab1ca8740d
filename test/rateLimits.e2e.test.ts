import { issueToken } from '@baedal/platform';
import { FIXTURES } from './support/federationFixtures';
import { gatewaysOver } from './support/fixtureGateways';

/*
 * The gateway's rate limits, through its real processes over the commands
 * fixture (a `counters` subgraph with `increment` and `counter`): every
 * mutation counts per address and per account, the reads the settings name
 * count too, a field declared account-only is not counted per address, the
 * client's address comes from X-Forwarded-For only behind a trusted proxy,
 * counts are shared by every gateway process through Redis, and without
 * Redis each process counts alone (open, not closed).
 */

const PREFIX = `baedal_t_ratelimits_${process.pid}`;
process.env.BAEDAL_LOG_LEVEL ??= 'warn';

const fixture = FIXTURES.find((f) => f.name.startsWith('commands'))!;
const INCREMENT = 'mutation($id: ID!) { increment(id: $id, by: 1) { value } }';
const READ = 'query($id: ID!) { counter(id: $id) { value } }';
const LIMITS = {
  BAEDAL_RATE_LIMIT_ADDRESS_MUTATIONS: '3',
  BAEDAL_RATE_LIMIT_ACCOUNT_MUTATIONS: '2',
  BAEDAL_RATE_LIMIT_ADDRESS_READS: '2',
  BAEDAL_RATE_LIMITED_READS: 'counter',
  BAEDAL_TRUSTED_PROXIES: 'loopback',
};

const gateways = gatewaysOver(fixture, PREFIX, LIMITS);
beforeAll(() => gateways.start(), 60_000);
afterAll(() => gateways.stop());
const gateway = (env: Record<string, string>, prefix?: string) => gateways.gateway(env, prefix);

async function send(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables: { id: 'rate-limited' } }),
  });
  const body = (await response.json()) as {
    data?: unknown;
    errors?: { message: string; extensions: { code: string; retryAfterSeconds?: number } }[];
  };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}
const from = (ip: string, token?: string) => ({
  'x-forwarded-for': ip,
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});
const statuses = async (url: string, query: string, headers: Record<string, string>[]) => {
  const answers = [];
  for (const h of headers) answers.push((await send(url, query, h)).status);
  return answers;
};

describe('rate limits', () => {
  it('count mutations per address, refusing the one over with 429, TOO_MANY_REQUESTS and when to retry', async () => {
    const url = await gateway({});
    expect(await statuses(url, INCREMENT, Array(3).fill(from('10.0.0.1')))).toEqual([200, 200, 200]);
    const refused = await send(url, INCREMENT, from('10.0.0.1'));
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0].extensions.code).toBe('TOO_MANY_REQUESTS');
    const wait = refused.body.errors![0].extensions.retryAfterSeconds!;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(refused.retryAfter).toBe(String(wait));
    expect(refused.body.errors?.[0].message).toBe(`Too many changes from this address; try again in ${wait} s`);
    // Another client behind the same trusted proxy is another address.
    expect((await send(url, INCREMENT, from('10.0.0.2'))).status).toBe(200);
  }, 60_000);

  it('count mutations per account across addresses', async () => {
    const url = await gateway({});
    const token = issueToken({ id: 'rate-limited-customer', role: 'CUSTOMER' });
    expect(await statuses(url, INCREMENT, [from('10.0.1.1', token), from('10.0.1.2', token)])).toEqual([200, 200]);
    const refused = await send(url, INCREMENT, from('10.0.1.3', token));
    expect([refused.status, refused.body.errors?.[0].message]).toEqual([
      429,
      expect.stringMatching(/^Too many changes from this account/),
    ]);
  }, 60_000);

  it('count the reads the settings name, and not a field declared counted per account alone', async () => {
    const url = await gateway({ BAEDAL_RATE_LIMIT_ACCOUNT_ONLY: 'increment' });
    expect(await statuses(url, READ, Array(3).fill(from('10.0.2.1')))).toEqual([200, 200, 429]);
    // increment is counted per account only: an anonymous burst from one address is not refused.
    expect(await statuses(url, INCREMENT, Array(5).fill(from('10.0.2.1')))).toEqual([200, 200, 200, 200, 200]);
    const token = issueToken({ id: 'claiming-customer', role: 'CUSTOMER' });
    expect(await statuses(url, INCREMENT, Array(3).fill(from('10.0.2.1', token)))).toEqual([200, 200, 429]);
  }, 60_000);

  it('count a mutation reached through a fragment or among several operations', async () => {
    const url = await gateway({});
    const spread = 'mutation($id: ID!) { ... on Mutation { increment(id: $id, by: 1) { value } } }';
    const named = `query Read($id: ID!) { counter(id: $id) { value } } mutation Write($id: ID!) { increment(id: $id, by: 1) { value } }`;
    await statuses(url, spread, Array(3).fill(from('10.0.3.1')));
    expect((await send(url, spread, from('10.0.3.1'))).status).toBe(429);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...from('10.0.3.1') },
      body: JSON.stringify({ query: named, operationName: 'Write', variables: { id: 'x' } }),
    });
    expect(response.status).toBe(429);
  }, 60_000);

  it('believe X-Forwarded-For only from a trusted proxy', async () => {
    const url = await gateway({ BAEDAL_TRUSTED_PROXIES: '' });
    // Every request is the loopback connection's, whatever address it claims.
    const claimed = ['10.0.4.1', '10.0.4.2', '10.0.4.3', '10.0.4.4'].map((ip) => from(ip));
    expect(await statuses(url, INCREMENT, claimed)).toEqual([200, 200, 200, 429]);
  }, 60_000);

  it('are shared by every gateway process through Redis', async () => {
    const shared = `${PREFIX}_shared`;
    const [first, second] = [await gateway({}, shared), await gateway({}, shared)];
    expect(await statuses(first, INCREMENT, Array(2).fill(from('10.0.5.1')))).toEqual([200, 200]);
    expect(await statuses(second, INCREMENT, Array(2).fill(from('10.0.5.1')))).toEqual([200, 429]);
  }, 60_000);

  it('without Redis, are counted by each process alone: open, never closed', async () => {
    const url = await gateway({ BAEDAL_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await statuses(url, INCREMENT, Array(4).fill(from('10.0.6.1')))).toEqual([200, 200, 200, 429]);
    expect((await send(url, INCREMENT, from('10.0.6.2'))).status).toBe(200);
  }, 60_000);
});
