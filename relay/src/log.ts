import type { DestinationStream } from 'pino';
import { pino, type Logger } from 'pino';
import type { RelayConfig } from './config.ts';

export type { DestinationStream, Logger };

/** A request's logger, made on its first use (see `requestLog`). */
export type RequestLog = () => Logger;

/**
 * `logger.child(bindings)`, made when the request first logs. Most requests log nothing at the
 * configured level, and a pino child cost about 60 µs (cold) on an LLM call's way to the provider.
 */
export function requestLog(logger: Logger, bindings: Record<string, unknown>): RequestLog {
  let child: Logger | undefined;
  return () => (child ??= logger.child(bindings));
}

/**
 * JSON logs; tokens and secrets are redacted wherever they might appear. `destination` is for
 * tests that read what was logged (stdout otherwise).
 */
export function createLogger(config: Pick<RelayConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    redact: [
      'req.headers.authorization',
      'req.headers.cookie',
      'headers.authorization',
      'authorization',
      'secret',
      'token',
      '*.secret',
      '*.token',
      '*.authorization',
      // Provider keys and the tabs' /llm credentials, should any object carrying one be logged.
      'apiKey',
      '*.apiKey',
      'llmKey',
      '*.llmKey',
      'headers["x-api-key"]',
      'headers["x-goog-api-key"]',
      '*.headers["x-api-key"]',
      '*.headers["x-goog-api-key"]',
    ],
  };
  return destination ? pino(options, destination) : pino(options);
}
