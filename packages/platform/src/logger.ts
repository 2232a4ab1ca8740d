import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import { logLevel } from './config';
import { currentTraceId } from './traceContext';

export type Logger = pino.Logger;

/*
 * Every log line says what it belongs to, whoever writes it: the request
 * (its id, and the trace's when traced) or, in the workers, the event being
 * applied (its id, and its correlation id: the request that started the
 * chain of events). The server and the consumer open the scope; a line
 * written anywhere within it carries it.
 */

export interface LogScope {
  requestId?: string;
  /** The request an event chain started from; events written within the scope carry it on. */
  correlationId?: string;
  eventId?: string;
}

const scope = new AsyncLocalStorage<LogScope>();

/** Runs `work` with `fields` on every log line it writes (added to the scope it runs in). */
export function inLogScope<T>(fields: LogScope, work: () => T): T {
  const outer = scope.getStore();
  return scope.run(outer ? { ...outer, ...fields } : fields, work);
}

/** The scope the caller runs in. */
export function logScope(): LogScope | undefined {
  return scope.getStore();
}

/** A process's logger (JSON lines on stdout, or on `destination`). */
export function createLogger(name: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level: logLevel(),
    mixin() {
      const traceId = currentTraceId();
      const fields = scope.getStore();
      return traceId ? { ...fields, traceId } : (fields ?? {});
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
