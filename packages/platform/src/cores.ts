import cluster from 'node:cluster';
import os from 'node:os';
import { createLogger, type Logger } from './logger';
import { stopOnSignals } from './http';

/** How many processes `setting` asks for (e.g. GATEWAY_WORKERS); `fallback` (one per core) unless set. */
export function processCount(setting: string, fallback = os.availableParallelism()): number {
  return Number(process.env[setting] ?? fallback);
}

/**
 * Runs `count` copies of this process under node:cluster: they share its
 * listening ports, a copy that dies is replaced, and SIGTERM stops them all.
 * Returns true in the primary (which does nothing else), false in a copy or
 * when one process is asked for: then the caller starts its work itself.
 */
export function forkPerCore(log: Logger, count: number): boolean {
  if (!cluster.isPrimary || count <= 1) return false;
  for (let i = 0; i < count; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code }, 'a process died; starting another');
    cluster.fork();
  });
  stopOnSignals(log, async () => {
    stopping = true;
    await Promise.all(
      Object.values(cluster.workers ?? {}).map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker?.once('exit', () => resolve());
            worker?.kill('SIGTERM');
          }),
      ),
    );
  });
  log.info({ processes: count }, 'primary started');
  return true;
}

/**
 * A process's main: starts the service and stops it cleanly on SIGINT or SIGTERM; a failed start exits 1.
 * With `processes` above one, that many copies share the port (node:cluster).
 */
export function runUntilStopped(name: string, start: () => Promise<{ stop(): Promise<void> }>, processes = 1): void {
  const log = createLogger(name);
  if (forkPerCore(log, processes)) return;
  start().then(
    (running) => stopOnSignals(log, running.stop),
    (error) => {
      log.error({ err: error }, 'failed to start');
      process.exit(1);
    },
  );
}
