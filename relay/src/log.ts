import { pino, type Logger } from 'pino';
import type { RelayConfig } from './config.ts';

export type { Logger };

/** JSON logs; tokens and secrets are redacted wherever they might appear. */
export function createLogger(config: Pick<RelayConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'secret', 'token', '*.secret', '*.token'],
  });
}
