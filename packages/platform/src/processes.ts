import cluster from 'node:cluster';
import type http from 'node:http';
import { httpServing, platformConfig } from './config';
import { createLogger, type Logger } from './logger';
import { gatherMetricsForCopies } from './metrics';
import type { Settings, SettingsSpec } from './settings';

/*
 * A process's life: listening, stopping on a signal, and running several
 * copies of itself under node:cluster.
 */

/**
 * Listens on BAEDAL_LISTEN_HOST with the HTTP timeouts every process keeps:
 * headers and the whole request must arrive in time (a slow client is cut
 * off), and an idle keep-alive connection is kept longer than clients keep
 * theirs (a server closing one just as the gateway reuses it makes "socket
 * hang up" under load).
 */
export function listen(server: http.Server, port: number, host = httpServing().host): Promise<void> {
  const timeouts = httpServing();
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections?.();
  });
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits. */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

/**
 * Runs `count` copies of this process under node:cluster: they share its
 * listening ports, a copy that dies is replaced, a scrape of /metrics reaching
 * any copy answers for all of them (metrics.ts), and SIGTERM stops them all.
 * Returns true in the primary (which does nothing else), false in a copy or
 * when one process is asked for: then the caller starts its work itself.
 */
export function forkPerCore(log: Logger, count: number): boolean {
  if (!cluster.isPrimary || count <= 1) return false;
  gatherMetricsForCopies();
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
 * Reads the platform's settings, and `more`, before anything starts: a bad
 * value, or a development secret in production, stops the process with one
 * line naming the variable (settings.ts), never at its first request.
 */
export function refuseUnfitSettings(more: Settings<SettingsSpec>[] = []): void {
  for (const settings of [platformConfig, ...more]) settings();
}

/**
 * A process's main: starts the service and stops it cleanly on SIGINT or SIGTERM; a failed start exits 1.
 * With `processes` above one, that many copies share the port (node:cluster).
 */
export function runUntilStopped(name: string, start: () => Promise<{ stop(): Promise<void> }>, processes = 1): void {
  refuseUnfitSettings();
  const log = createLogger(name);
  if (forkPerCore(log, processes)) return;
  start().then(
    (running) => stopOnSignals(log, () => running.stop()),
    (error: unknown) => {
      log.error({ err: error }, 'failed to start');
      process.exit(1);
    },
  );
}
