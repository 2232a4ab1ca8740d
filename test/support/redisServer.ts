import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { eventually } from './stack';

/*
 * A Redis server of a suite's own, for the faults the machine's shared
 * server must never suffer: killed, restarted, emptied, unreachable. Its
 * data lives in a directory of its own, so a restart finds what its
 * persistence kept (an append-only file, when `appendfsync` is given).
 */

export interface RedisServerOptions {
  port: number;
  /** 'always' or 'everysec' keeps an append-only file; absent, nothing is kept (the machine's setting). */
  appendfsync?: 'always' | 'everysec';
}

export class RedisServer {
  readonly url: string;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-redis-'));
  private child: ChildProcess | null = null;

  constructor(private readonly options: RedisServerOptions) {
    this.url = `redis://127.0.0.1:${options.port}/0`;
  }

  /** Starts the server on its directory and waits until it answers. */
  async start(): Promise<void> {
    const { port, appendfsync } = this.options;
    const persistence = appendfsync ? ['--appendonly', 'yes', '--appendfsync', appendfsync] : ['--appendonly', 'no'];
    this.child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''],
        ...['--maxmemory-policy', 'noeviction', ...persistence],
      ],
      { stdio: 'ignore' },
    );
    await eventually(`redis on ${port} to answer`, () => this.ping(), 10_000, 50);
  }

  /** Kills the server at once (no shutdown save), as a crash would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async ping(): Promise<boolean> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {}); // not answering yet is what this asks
    try {
      await redis.connect();
      return (await redis.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  }
}
