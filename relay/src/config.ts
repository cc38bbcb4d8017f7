/**
 * Relay configuration, read from environment variables and validated once at start. Every
 * problem is reported with the variable's name and what a valid value looks like.
 */
import { z } from 'zod';
import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_PORT } from '@vial/shared';

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const envSchema = z.object({
  VIAL_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORT),
  VIAL_HOST: z.string().default('127.0.0.1'),
  /** The URL clients use to reach this relay (behind a proxy it differs from the bind address). */
  VIAL_PUBLIC_URL: z.url().optional(),
  /** Extra browser origins allowed to call the MCP endpoint; the relay's own origin is always allowed. */
  VIAL_ALLOWED_ORIGINS: commaList.default([]),
  /** Host header values accepted (DNS-rebinding protection); localhost names are always accepted. */
  VIAL_ALLOWED_HOSTS: commaList.default([]),
  /** Reverse proxies whose `X-Forwarded-For` is believed when limiting per client address. */
  VIAL_TRUSTED_PROXIES: commaList.default([]),
  VIAL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VIAL_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  VIAL_MAX_FRAME_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_FRAME_BYTES),
  /** Unsent bytes one client response may hold before the relay drops it (the client is not reading). */
  VIAL_CLIENT_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Unsent bytes the socket to one tab may hold before the relay drops the tab (it is not reading). */
  VIAL_TAB_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Requests one client session may have waiting on the tab at once; more are refused. */
  VIAL_SESSION_MAX_PENDING: z.coerce.number().int().positive().default(256),
  /** Events kept per session for `Last-Event-ID` resumption; older ones are dropped. */
  VIAL_EVENT_BUFFER: z.coerce.number().int().min(0).default(1000),
  VIAL_SSE_KEEPALIVE_MS: z.coerce.number().int().min(0).default(15_000),
  /** The `retry:` sent with each stream's first event: how long a client waits before resuming it. */
  VIAL_SSE_RETRY_MS: z.coerce.number().int().min(0).default(500),
  /** Grace for a client to resume a closed stream before its in-flight calls are cancelled. */
  VIAL_ABANDON_GRACE_MS: z.coerce.number().int().min(0).default(1000),
  VIAL_HEARTBEAT_MS: z.coerce.number().int().positive().default(10_000),
  /** How long an idle client session is kept before it is forgotten. */
  VIAL_SESSION_IDLE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(60 * 60 * 1000),
  /** Most client sessions one host keeps; past it the least recently used idle session is ended. */
  VIAL_MAX_SESSIONS_PER_HOST: z.coerce.number().int().positive().default(64),
  /** Requests per second one token may make on average (0 disables the limit). */
  VIAL_TOKEN_RATE: z.coerce.number().min(0).default(5000),
  /** Requests one token may make at once before VIAL_TOKEN_RATE applies. */
  VIAL_TOKEN_BURST: z.coerce.number().int().positive().default(10_000),
  /** Failed authentications one IP may have per minute before it gets 429 (0 disables). */
  VIAL_AUTH_FAILURES_PER_MIN: z.coerce.number().int().min(0).default(20),
  /** On shutdown, how long in-flight calls may take to finish before they are failed. */
  VIAL_DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
  /** Directory of the built web app; empty disables static serving. */
  VIAL_WEB_DIR: z.string().optional(),
  /** Fixture tool packs the tab should register, e.g. `conformance` for the official MCP suite. */
  VIAL_FIXTURES: commaList.default([]),
});

export type RelayConfig = {
  port: number;
  bindHost: string;
  publicUrl: string | undefined;
  allowedOrigins: string[];
  allowedHosts: string[];
  trustedProxies: string[];
  logLevel: z.infer<typeof envSchema>['VIAL_LOG_LEVEL'];
  maxBodyBytes: number;
  maxFrameBytes: number;
  clientBufferBytes: number;
  tabBufferBytes: number;
  sessionMaxPending: number;
  eventBufferSize: number;
  sseKeepAliveMs: number;
  sseRetryMs: number;
  abandonGraceMs: number;
  heartbeatMs: number;
  sessionIdleMs: number;
  maxSessionsPerHost: number;
  tokenRate: number;
  tokenBurst: number;
  authFailuresPerMinute: number;
  drainMs: number;
  webDir: string | undefined;
  fixtures: string[];
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      return `  ${variable}=${JSON.stringify(env[variable] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid relay configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  return {
    port: e.VIAL_PORT,
    bindHost: e.VIAL_HOST,
    publicUrl: e.VIAL_PUBLIC_URL?.replace(/\/$/, ''),
    allowedOrigins: e.VIAL_ALLOWED_ORIGINS,
    allowedHosts: e.VIAL_ALLOWED_HOSTS,
    trustedProxies: e.VIAL_TRUSTED_PROXIES,
    logLevel: e.VIAL_LOG_LEVEL,
    maxBodyBytes: e.VIAL_MAX_BODY_BYTES,
    maxFrameBytes: e.VIAL_MAX_FRAME_BYTES,
    clientBufferBytes: e.VIAL_CLIENT_BUFFER_BYTES,
    tabBufferBytes: e.VIAL_TAB_BUFFER_BYTES,
    sessionMaxPending: e.VIAL_SESSION_MAX_PENDING,
    eventBufferSize: e.VIAL_EVENT_BUFFER,
    sseKeepAliveMs: e.VIAL_SSE_KEEPALIVE_MS,
    sseRetryMs: e.VIAL_SSE_RETRY_MS,
    abandonGraceMs: e.VIAL_ABANDON_GRACE_MS,
    heartbeatMs: e.VIAL_HEARTBEAT_MS,
    sessionIdleMs: e.VIAL_SESSION_IDLE_MS,
    maxSessionsPerHost: e.VIAL_MAX_SESSIONS_PER_HOST,
    tokenRate: e.VIAL_TOKEN_RATE,
    tokenBurst: e.VIAL_TOKEN_BURST,
    authFailuresPerMinute: e.VIAL_AUTH_FAILURES_PER_MIN,
    drainMs: e.VIAL_DRAIN_MS,
    webDir: e.VIAL_WEB_DIR,
    fixtures: e.VIAL_FIXTURES,
  };
}
