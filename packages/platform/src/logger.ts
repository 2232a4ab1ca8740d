import pino from 'pino';
import { logLevel } from './config';

export type Logger = pino.Logger;

export function createLogger(name: string): Logger {
  return pino({ name, level: logLevel() });
}
