/** The relay's settings for where it listens, who may reach it, what it serves and how it stops. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_PORT } from '@vial/shared';
import { parseTrustedProxies } from '../clientAddress.ts';
import { commaList, nonNegativeInt } from './parsers.ts';
import { setting } from './setting.ts';

export const SERVER = {
  title: 'Server',
  intro:
    'Where the relay listens, which names and origins may reach it, what it serves, and how it logs and shuts down.',
  settings: {
    VIAL_PORT: setting({
      to: 'port',
      schema: z.coerce.number().int().min(0).max(65535),
      default: DEFAULT_PORT,
      meaning: 'Port for the web app, the tab socket and the MCP endpoint',
    }),
    VIAL_HOST: setting({ to: 'bindHost', schema: z.string(), default: '127.0.0.1', meaning: 'Address to bind' }),
    VIAL_PUBLIC_URL: setting({
      to: 'publicUrl',
      schema: z.url().transform((url) => url.replace(/\/$/, '')),
      meaning: 'URL clients use to reach the relay (behind a proxy); also allowed as Origin/Host',
    }),
    VIAL_ALLOWED_ORIGINS: setting({
      to: 'allowedOrigins',
      schema: commaList,
      default: [],
      meaning: 'Comma list of extra browser origins allowed to call `/mcp`',
    }),
    VIAL_ALLOWED_HOSTS: setting({
      to: 'allowedHosts',
      schema: commaList,
      default: [],
      meaning: 'Comma list of extra `Host` names accepted (localhost names always are)',
    }),
    VIAL_TRUSTED_PROXIES: setting({
      to: 'trustedProxies',
      schema: commaList.superRefine((entries, context) => {
        try {
          parseTrustedProxies(entries);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
      default: [],
      meaning:
        'Comma list of reverse-proxy addresses or CIDR ranges whose `X-Forwarded-For` is believed for per-client limits',
    }),
    VIAL_WEB_DIR: setting({
      to: 'webDir',
      schema: z.string(),
      default: fileURLToPath(new URL('../../../dist/web', import.meta.url)),
      shownDefault: '`dist/web`',
      meaning: 'Built web app to serve; empty serves none',
    }),
    VIAL_FIXTURES: setting({
      to: 'fixtures',
      schema: commaList,
      default: [],
      meaning: 'Fixture tool packs the tab registers, e.g. `conformance` for the official MCP suite',
    }),
    VIAL_LOG_LEVEL: setting({
      to: 'logLevel',
      schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      default: 'info',
      meaning: '`fatal` … `trace`, or `silent`; logs are JSON (pino), secrets redacted',
    }),
    VIAL_METRICS_TOKEN: setting({
      to: 'metricsToken',
      schema: z.string().min(16, 'use at least 16 characters'),
      meaning:
        'When set, `/metrics` answers only `Authorization: Bearer <token>` (16+ characters); unset, it is open (counts only, no secrets)',
    }),
    VIAL_DRAIN_MS: setting({
      to: 'drainMs',
      schema: nonNegativeInt,
      default: 10_000,
      meaning: 'On SIGTERM/SIGINT, how long in-flight calls may run before they fail with a shutting-down error',
    }),
  },
} as const;
