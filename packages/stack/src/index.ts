import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { SERVICES, isProduction, port, redisUrl, subgraphUrl, type ServiceName } from '@baedal/platform';
import { assertPostgresReachable } from '@baedal/prisma';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, demoCustomerEmail, demoOwnerEmail } from './demoData';

/*
 * Starts the whole platform as separate processes: five subgraphs, the
 * gateway and the workers. `npm start` and the end-to-end tests both use it,
 * so the tests exercise exactly what a developer runs.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export type ProcessName = ServiceName | 'gateway' | 'workers' | 'providerA' | 'providerB';

/** Each process as a command of the repository (the image runs the same). */
export const ENTRY_POINTS: Record<ProcessName, string> = {
  shops: 'subgraphs/shops/dist/server.js',
  ads: 'subgraphs/ads/dist/server.js',
  orders: 'subgraphs/orders/dist/server.js',
  payments: 'subgraphs/payments/dist/server.js',
  reviews: 'subgraphs/reviews/dist/server.js',
  gateway: 'gateway/dist/server.js',
  workers: 'workers/dist/main.js',
  providerA: 'subgraphs/payments/dist/providerSimulator.js',
  providerB: 'subgraphs/payments/dist/providerSimulator.js',
};

const PROCESS_ENV: Partial<Record<ProcessName, Record<string, string>>> = {
  providerA: { PROVIDER_ID: 'A' },
  providerB: { PROVIDER_ID: 'B' },
};

export interface StackOptions {
  /** Environment for every process, on top of this process's. Databases, ports and prefixes go here. */
  env?: Record<string, string>;
  /** Seed this many shops when the databases are empty (0: never seed). */
  seedShops?: number;
  /** Where each process's output goes: a directory for <name>.log files, or 'inherit' (this process's). */
  output?: string;
  log?: (line: string) => void;
  /**
   * Start again a process that dies (not one the stack stops): after `firstDelayMs`, twice as long each
   * time it dies again within a minute of starting, at most `maxDelayMs`. `npm start` does.
   */
  restartDead?: { firstDelayMs: number; maxDelayMs: number };
}

export class Stack {
  readonly processes = new Map<ProcessName, ChildProcess>();
  /** Each process's wait before its next restart, while it keeps dying soon after starting. */
  private readonly restartDelays = new Map<ProcessName, number>();
  private stopping = false;

  constructor(private readonly options: StackOptions) {}

  private get env(): NodeJS.ProcessEnv {
    // Services run as deployed (graphql-js skips its development checks), whatever runs the stack (jest sets 'test').
    return { ...process.env, NODE_ENV: 'production', ...this.options.env };
  }

  /** Reads a setting as the stack's processes see it. */
  setting(name: string): string | undefined {
    return this.env[name];
  }

  port(name: ProcessName): number {
    return port(name, this.env);
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.port('gateway')}/graphql`;
  }

  /**
   * The gateway serves any supergraph and knows its subgraphs from it; the
   * stack tells it where this stack's subgraphs listen, and gives payments
   * (which waits on payment providers with their own timeouts and failover)
   * a longer read timeout, unless set.
   */
  private gatewayEnv(): Record<string, string> {
    const env: Record<string, string> = { PAYMENTS_TIMEOUT_MS: '6000', ...this.demoSignIn() };
    for (const service of SERVICES) env[`${service.toUpperCase()}_URL`] = subgraphUrl(service, this.env);
    return Object.fromEntries(Object.entries(env).filter(([name]) => !this.env[name]));
  }

  /** The playground signs in as the demo data's accounts in one click, where there is demo data. */
  private demoSignIn(): Record<string, string> {
    if (isProduction(this.env) || this.options.seedShops === 0) return {};
    return {
      BAEDAL_PLAYGROUND_DEMO_ACCOUNTS: [demoCustomerEmail(1), demoOwnerEmail(1), DEMO_ADMIN_EMAIL].join(','),
      BAEDAL_PLAYGROUND_DEMO_PASSWORD: DEMO_PASSWORD,
    };
  }

  /** Starts a process and waits until it answers its readiness check. */
  async restart(name: ProcessName, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<void> {
    await this.stop(name);
    this.start(name, env, nodeArgs);
    await this.waitFor(name, this.readyUrl(name));
  }

  /** Starts one process; `env` adds settings and `nodeArgs` Node flags (e.g. --cpu-prof) for this start only. */
  start(name: ProcessName, env: Record<string, string> = {}, nodeArgs: string[] = []): ChildProcess {
    const output = this.options.output ?? 'inherit';
    let stdio: 'inherit' | ['ignore', number, number];
    if (output === 'inherit') stdio = 'inherit';
    else {
      fs.mkdirSync(output, { recursive: true });
      const fd = fs.openSync(path.join(output, `${name}.log`), 'a');
      stdio = ['ignore', fd, fd];
    }
    const child = spawn(process.execPath, [...nodeArgs, path.join(REPO_ROOT, ENTRY_POINTS[name])], {
      env: { ...this.env, ...(name === 'gateway' ? this.gatewayEnv() : PROCESS_ENV[name]), ...env },
      stdio,
    });
    if (typeof stdio !== 'string') fs.closeSync(stdio[1]);
    this.processes.set(name, child);
    const startedAt = Date.now();
    child.once('exit', (code, signal) =>
      this.died(name, child, startedAt, code ?? signal, () => this.start(name, env, nodeArgs)),
    );
    return child;
  }

  /** A process exited: if the stack did not stop it and restarts the dead, it is started again after a wait. */
  private died(name: ProcessName, child: ChildProcess, startedAt: number, how: unknown, again: () => void): void {
    const restart = this.options.restartDead;
    if (this.stopping || this.processes.get(name) !== child) return; // stopped or replaced on purpose
    if (!restart) {
      this.options.log?.(`${name} exited (${String(how)}); the rest keeps running`);
      return;
    }
    const lived = Date.now() - startedAt;
    const delay = lived > 60_000 ? restart.firstDelayMs : (this.restartDelays.get(name) ?? restart.firstDelayMs);
    this.restartDelays.set(name, Math.min(restart.maxDelayMs, delay * 2));
    this.options.log?.(`${name} exited (${String(how)}); starting it again in ${delay} ms`);
    setTimeout(() => {
      if (this.stopping || this.processes.get(name) !== child) return;
      again();
      this.options.log?.(`${name} started again`);
    }, delay).unref();
  }

  /** Stops one process (SIGTERM, then SIGKILL after a grace period). */
  async stop(name: ProcessName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.processes.get(name);
    this.processes.delete(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    // The gateway first, so nothing new reaches the subgraphs while they stop.
    await this.stop('gateway');
    await Promise.all([...this.processes.keys()].map((name) => this.stop(name)));
  }

  /** Waits until `url` answers 200, failing early if the process dies. */
  async waitFor(name: ProcessName, url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const child = this.processes.get(name);
      if (!child || child.exitCode !== null) throw new Error(`${name} exited during start (code ${child?.exitCode})`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${name} was not ready at ${url} within ${timeoutMs} ms`);
  }

  readyUrl(name: ProcessName): string {
    return `http://127.0.0.1:${this.port(name)}/${name.startsWith('provider') ? 'healthz' : 'readyz'}`;
  }

  /** Checks the databases and Redis, migrates, seeds when empty, then starts every process and waits until the gateway is ready. */
  async up(): Promise<void> {
    this.stopping = false;
    await this.prepare();
    const backends: ProcessName[] = ['providerA', 'providerB', ...SERVICES, 'workers'];
    for (const name of backends) this.start(name);
    await Promise.all(backends.map((name) => this.waitFor(name, this.readyUrl(name))));
    this.start('gateway');
    await this.waitFor('gateway', this.readyUrl('gateway'));
  }

  /** Checks Postgres and Redis, creates and migrates the databases, and seeds them when empty. */
  async prepare(): Promise<void> {
    const env = this.env;
    await assertPostgresReachable(env.BAEDAL_PG_URL);
    await assertRedisReachable(env.BAEDAL_REDIS_URL ?? redisUrl());
    // Migrate (and seed an empty platform) in a child process with the stack's settings.
    // Production never has demo data.
    const shops = isProduction(env) ? 0 : (this.options.seedShops ?? 2000);
    const args =
      shops > 0
        ? ['packages/stack/dist/seed.js', '--shops', String(shops), '--if-empty']
        : ['prisma/dist/migrate.js', 'deploy'];
    await runToCompletion(process.execPath, args, env, this.options.log ?? (() => {}));
    // A fresh platform's query model and replicas are built from snapshot events the workers will relay.
    await runToCompletion(
      process.execPath,
      ['workers/dist/cli.js', 'projections', 'rebuild', '--if-empty'],
      env,
      this.options.log ?? (() => {}),
    );
  }
}

function runToCompletion(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        output.push(line);
        log(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} failed: ${output.slice(-3).join(' | ')}`)),
    );
  });
}

export async function assertRedisReachable(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${url} (${(error as Error).message}); start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}
