import { spawn } from 'node:child_process';
import path from 'node:path';
import { ENTRY_POINTS, REPO_ROOT } from '@baedal/stack';
import { freePort } from './support/fixtureGateways';
import { deleteRedisKeys, eventually } from './support/stack';

/*
 * Production mode (BAEDAL_ENV=production), on the real commands: every
 * process refuses a development secret with one line naming the variable,
 * demo data is never seeded, and the gateway hides its playground and the
 * schema unless told otherwise.
 */

const PREFIX = `baedal_t_production_${process.pid}`;
const STRONG = {
  BAEDAL_JWT_SECRET: 'j'.repeat(32),
  BAEDAL_IDENTITY_SECRET: 'i'.repeat(32),
  BAEDAL_CHARGE_SECRET: 'c'.repeat(32),
};
const production = (env: Record<string, string>) => ({
  ...process.env,
  BAEDAL_ENV: 'production',
  BAEDAL_DB_PREFIX: PREFIX,
  BAEDAL_REDIS_PREFIX: PREFIX,
  BAEDAL_LOG_LEVEL: 'warn',
  ...STRONG,
  ...env,
});

/** Runs a command to its end (at most 30 s): its exit code and what it wrote to stderr. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const DEVELOPMENT_JWT = 'baedal-dev-jwt-secret-change-me';
const UNFIT: [string, Record<string, string>, RegExp][] = [
  ['unset', { BAEDAL_JWT_SECRET: '' }, /BAEDAL_JWT_SECRET must be set in production/],
  [
    'the development default',
    { BAEDAL_IDENTITY_SECRET: DEVELOPMENT_JWT.replace('jwt', 'identity') },
    /BAEDAL_IDENTITY_SECRET is the development default/,
  ],
  [
    'shorter than 32 bytes',
    { BAEDAL_CHARGE_SECRET: 'x'.repeat(31) },
    /BAEDAL_CHARGE_SECRET must have at least 32 bytes in production, it has 31/,
  ],
];

describe('in production, a secret that is', () => {
  const commands = Object.entries(ENTRY_POINTS).filter(([name]) => name !== 'providerB');
  describe.each(UNFIT)('%s', (_, env, line) => {
    it.each(commands)('stops %s before it starts, with one line naming the variable', async (_name, entry) => {
      const { code, stderr } = await run([entry], production({ ...env, PROVIDER_ID: 'A' }));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(line);
    });
  });

  it('also stops the migrations and the seed', async () => {
    for (const args of [
      ['prisma/dist/migrate.js', 'deploy'],
      ['packages/stack/dist/seed.js', '--shops', '1'],
    ]) {
      const { code, stderr } = await run(args, production({ BAEDAL_JWT_SECRET: '' }));
      expect([args[0], code]).toEqual([args[0], 1]);
      expect(stderr).toMatch(/BAEDAL_JWT_SECRET must be set in production/);
    }
  });
});

describe('in production, with secrets of its own', () => {
  it('never seeds demo data or demo accounts', async () => {
    const { code, stderr } = await run(['packages/stack/dist/seed.js', '--shops', '1'], production({}));
    expect(code).toBe(1);
    expect(stderr).toMatch(/never seeded in production/);
  });

  describe('the gateway', () => {
    const started: { stop(): Promise<void> }[] = [];
    const startGateway = async (env: Record<string, string>) => {
      const gatewayPort = await freePort();
      const child = spawn(process.execPath, [path.join(REPO_ROOT, ENTRY_POINTS.gateway)], {
        cwd: REPO_ROOT,
        env: production({ ...env, GATEWAY_PORT: String(gatewayPort), GATEWAY_WORKERS: '1' }),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      started.push({
        stop: () =>
          new Promise((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      });
      const url = `http://127.0.0.1:${gatewayPort}/graphql`;
      // It listens while its subgraphs are away (not ready, but alive).
      await eventually(
        'the gateway to listen',
        async () => (await fetch(url.replace('/graphql', '/healthz')).catch(() => null))?.ok === true,
        30_000,
        100,
      );
      return url;
    };
    const introspect = (url: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
      }).then((r) => r.json() as Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>);
    const page = (url: string) => fetch(url, { headers: { accept: 'text/html' } });

    afterAll(async () => {
      for (const s of started) await s.stop();
      await deleteRedisKeys(PREFIX);
    });

    it('serves no playground and refuses introspection by default', async () => {
      const url = await startGateway({});
      expect((await page(url)).headers.get('content-type') ?? '').not.toMatch(/text\/html/);
      const answer = await introspect(url);
      expect(answer.data).toBeUndefined();
      expect(answer.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }, 60_000);

    it('serves them when the settings say so', async () => {
      const url = await startGateway({
        BAEDAL_PLAYGROUND: 'true',
        BAEDAL_INTROSPECTION: 'true',
        BAEDAL_PLAYGROUND_DEMO_ACCOUNTS: 'owner1@baedal.dev',
        BAEDAL_PLAYGROUND_DEMO_PASSWORD: 'baedal1234',
      });
      const playground = await page(url);
      expect(playground.headers.get('content-type')).toMatch(/text\/html/);
      // Demo sign-in is for development alone, whatever the settings name.
      const html = await playground.text();
      expect(html).toContain('"demoAccounts":[]');
      expect(html).not.toContain('owner1@baedal.dev');
      expect((await introspect(url)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    }, 60_000);
  });
});
