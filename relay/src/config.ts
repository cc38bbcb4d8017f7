/**
 * Relay configuration, read from environment variables and validated once at start. Every
 * problem is reported with the variable's name and what a valid value looks like.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_PORT } from '@vial/shared';
import defaultPrices from './llm/prices.json' with { type: 'json' };
import { hostIdSchema } from '@vial/shared';
import { parseTrustedProxies } from './clientAddress.ts';
import { LOCAL_HOSTNAMES } from './requestGuard.ts';
import type { AdmissionConfig } from './hosts/admission.ts';
import { modelPriceSchema, priceTableSchema, type ModelPrice, type PriceTable } from './llm/pricing.ts';

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** A JSON value given inline in a variable, checked against `schema`. */
function jsonText<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON, e.g. ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Inline JSON (starting with `{`) or the path of a JSON file. */
function jsonTextOrFile<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string()
    .transform((value, ctx) => {
      if (value.trimStart().startsWith('{')) return value;
      try {
        return readFileSync(value, 'utf8');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `cannot read the file (${(error as Error).message})` });
        return z.NEVER;
      }
    })
    .pipe(jsonText(schema, example));
}

/** The providers the relay knows by name; each is configured by setting its key. */
export const BUILTIN_LLM_PROVIDERS = [
  { name: 'anthropic', wire: 'anthropic', envName: 'ANTHROPIC', baseUrl: 'https://api.anthropic.com' },
  { name: 'openai', wire: 'openai-compatible', envName: 'OPENAI', baseUrl: 'https://api.openai.com/v1' },
  { name: 'xai', wire: 'openai-compatible', envName: 'XAI', baseUrl: 'https://api.x.ai/v1' },
  {
    name: 'gemini',
    wire: 'gemini',
    envName: 'GEMINI',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  },
  { name: 'mistral', wire: 'openai-compatible', envName: 'MISTRAL', baseUrl: 'https://api.mistral.ai/v1' },
  { name: 'groq', wire: 'openai-compatible', envName: 'GROQ', baseUrl: 'https://api.groq.com/openai/v1' },
] as const;

/**
 * Per built-in provider: `VIAL_LLM_<P>_API_KEY` (or the conventional `<P>_API_KEY`) and
 * `VIAL_LLM_<P>_BASE_URL`. Keys are plain strings, so no error message can ever quote one.
 */
const providerEnvShape = Object.fromEntries(
  BUILTIN_LLM_PROVIDERS.flatMap(({ envName }) => [
    [`VIAL_LLM_${envName}_API_KEY`, z.string().optional()],
    [`${envName}_API_KEY`, z.string().optional()],
    [`VIAL_LLM_${envName}_BASE_URL`, z.url().optional()],
  ]),
) as Record<string, z.ZodOptional<z.ZodString> | z.ZodOptional<z.ZodURL>>;

const openAiCompatibleEntrySchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'name must be lower-case letters, digits, - or _ (e.g. "ollama")')
    .refine((name) => !BUILTIN_LLM_PROVIDERS.some((builtin) => builtin.name === name), {
      message: 'name is taken by a built-in provider',
    }),
  baseUrl: z.url(),
  /** The environment variable holding this provider's key; none for local servers (Ollama, vLLM). */
  apiKeyEnv: z.string().optional(),
  /** `max_tokens` (default; what most servers read) or `max_completion_tokens`. */
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** Whether to ask for the usage chunk with `stream_options.include_usage` (default true). */
  includeUsage: z.boolean().optional(),
});

const envSchema = z.object({
  ...providerEnvShape,
  /** More OpenAI-compatible servers (Ollama, vLLM, LM Studio, Together, OpenRouter), as a JSON list. */
  VIAL_LLM_OPENAI_COMPATIBLE: jsonText(
    z.array(openAiCompatibleEntrySchema).max(32),
    '[{"name":"ollama","baseUrl":"http://localhost:11434/v1"}]',
  ).default([]),
  /** Prices added to (or replacing) the shipped table: inline JSON or a file path. */
  VIAL_LLM_PRICES: jsonTextOrFile(priceTableSchema, '{"openai:gpt-4o*":{"input":2.5,"output":10}}').default({}),
  VIAL_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  VIAL_LLM_BACKOFF_BASE_MS: z.coerce.number().int().min(0).default(250),
  VIAL_LLM_BACKOFF_MAX_MS: z.coerce.number().int().min(0).default(4000),
  /** A `retry-after` longer than this is not waited for: the next fallback is tried instead. */
  VIAL_LLM_RETRY_AFTER_CAP_MS: z.coerce.number().int().min(0).default(10_000),
  VIAL_LLM_BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  VIAL_LLM_BREAKER_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  VIAL_LLM_BREAKER_OPEN_MS: z.coerce.number().int().positive().default(30_000),
  /** Time allowed for the provider's response headers. */
  VIAL_LLM_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Time allowed between two chunks of a response (and before its first). */
  VIAL_LLM_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(90_000),
  /** `/llm/chat` requests one host may make per minute (0 disables). */
  VIAL_LLM_HOST_REQUESTS_PER_MIN: z.coerce.number().int().min(0).default(60),
  /** USD one host may spend per UTC day (0 disables). */
  VIAL_LLM_HOST_DAILY_BUDGET_USD: z.coerce.number().min(0).default(5),
  /** USD all hosts together may spend per UTC day (0 disables). */
  VIAL_LLM_DAILY_BUDGET_USD: z.coerce.number().min(0).default(50),
  /** The price of models the table does not know; unset, such models are refused. */
  VIAL_LLM_DEFAULT_PRICE: jsonText(modelPriceSchema, '{"input":3,"output":15}').optional(),
  /**
   * Output tokens reserved for a request that sets no `maxTokens`: the most it can be charged
   * before it runs, released once it has.
   */
  VIAL_LLM_DEFAULT_MAX_TOKENS: z.coerce.number().int().positive().default(4096),
  /** Who may use the relay's LLM keys: every admitted host, only granted ones, or none. */
  VIAL_LLM_ACCESS: z.enum(['all', 'granted', 'none']).optional(),
  /** Host ids granted LLM access (with VIAL_LLM_ACCESS=granted), besides codes minted with --llm. */
  VIAL_LLM_HOSTS: commaList.pipe(z.array(hostIdSchema)).default([]),
  /** Who may host: `open` (anyone; only on loopback) or `enrolment` (operator-issued codes). */
  VIAL_HOST_ADMISSION: z.enum(['open', 'enrolment']).optional(),
  /** Signs enrolment codes and admission tickets; rotating it revokes every ticket. */
  VIAL_ADMISSION_SECRET: z.string().min(32, 'use at least 32 random characters').optional(),
  /** Host ids admitted without a code (with VIAL_HOST_ADMISSION=enrolment). */
  VIAL_ADMITTED_HOSTS: commaList.pipe(z.array(hostIdSchema)).default([]),
  /** Hosts the relay knows at once, online or not; past it new hosts wait. */
  VIAL_MAX_HOSTS: z.coerce.number().int().positive().default(10_000),
  /** New hosts one client address may create per minute (0 disables). */
  VIAL_NEW_HOSTS_PER_MIN: z.coerce.number().int().min(0).default(30),
  /** Tab sockets one client address may hold open at once. */
  VIAL_TAB_SOCKETS_PER_ADDRESS: z.coerce.number().int().positive().default(64),
  /** How long a host whose tab is gone is remembered (its client sessions with it). */
  VIAL_OFFLINE_HOST_TTL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60 * 1000),
  /** Bytes per second one tab may send on average; past it the relay stops reading the tab for a while. */
  VIAL_TAB_BYTES_PER_SEC: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Bytes per second all tabs together may send, shared evenly among those connected. */
  VIAL_TABS_BYTES_PER_SEC: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** How long a tab may keep more than its share waiting before it is dropped as a flood. */
  VIAL_TAB_THROTTLE_DROP_MS: z.coerce.number().int().positive().default(10_000),
  /** Bytes one tab may send at once before its share applies; another burst while over it, and the tab is dropped. */
  VIAL_TAB_BURST_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  VIAL_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORT),
  VIAL_HOST: z.string().default('127.0.0.1'),
  /** The URL clients use to reach this relay (behind a proxy it differs from the bind address). */
  VIAL_PUBLIC_URL: z.url().optional(),
  /** Extra browser origins allowed to call the MCP endpoint; the relay's own origin is always allowed. */
  VIAL_ALLOWED_ORIGINS: commaList.default([]),
  /** Host header values accepted (DNS-rebinding protection); localhost names are always accepted. */
  VIAL_ALLOWED_HOSTS: commaList.default([]),
  /** Reverse proxies whose `X-Forwarded-For` is believed when limiting per client address. */
  VIAL_TRUSTED_PROXIES: commaList.default([]).superRefine((entries, context) => {
    try {
      parseTrustedProxies(entries);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
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
  /** Bytes of events kept per session for resumption: large results must not pin memory by count alone. */
  VIAL_EVENT_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** Bytes of events all of one host's sessions may keep together; past it the host's oldest go first. */
  VIAL_HOST_MEMORY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** Bytes of events the relay keeps for all hosts together; past it the host keeping the most gives up its oldest. */
  VIAL_MEMORY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
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
  /** Most client sessions one token keeps on its host, so one client cannot take every slot. */
  VIAL_MAX_SESSIONS_PER_TOKEN: z.coerce.number().int().positive().default(32),
  /** Requests per second one token may make on average (0 disables the limit). */
  VIAL_TOKEN_RATE: z.coerce.number().min(0).default(5000),
  /** Requests one token may make at once before VIAL_TOKEN_RATE applies. */
  VIAL_TOKEN_BURST: z.coerce.number().int().positive().default(10_000),
  /** Failed authentications one IP may have per minute before it gets 429 (0 disables). */
  VIAL_AUTH_FAILURES_PER_MIN: z.coerce.number().int().min(0).default(20),
  /** On shutdown, how long in-flight calls may take to finish before they are failed. */
  VIAL_DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
  /** When set, `/metrics` answers only `Authorization: Bearer <this>` (a scraper's secret). */
  VIAL_METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
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
  eventBufferBytes: number;
  hostMemoryBytes: number;
  memoryLimitBytes: number;
  sseKeepAliveMs: number;
  sseRetryMs: number;
  abandonGraceMs: number;
  heartbeatMs: number;
  sessionIdleMs: number;
  maxSessionsPerHost: number;
  maxSessionsPerToken: number;
  tokenRate: number;
  tokenBurst: number;
  authFailuresPerMinute: number;
  drainMs: number;
  metricsToken: string | undefined;
  webDir: string | undefined;
  fixtures: string[];
  admission: AdmissionConfig;
  hostLimits: HostLimitsConfig;
  llm: LlmConfig;
};

/** Bounds on the hosts a relay keeps and what their tabs may send. */
export interface HostLimitsConfig {
  maxHosts: number;
  newHostsPerMinute: number;
  socketsPerAddress: number;
  offlineHostTtlMs: number;
  tabBytesPerSecond: number;
  tabsBytesPerSecond: number;
  tabBurstBytes: number;
  tabThrottleDropMs: number;
}

export type LlmWire = (typeof BUILTIN_LLM_PROVIDERS)[number]['wire'];

export interface LlmProviderConfig {
  name: string;
  wire: LlmWire;
  baseUrl: string;
  apiKey: string | undefined;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  includeUsage?: boolean;
}

export interface LlmConfig {
  /** Only the providers that can be called: built-ins with a key, and every OpenAI-compatible entry. */
  providers: LlmProviderConfig[];
  prices: PriceTable;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retryAfterCapMs: number;
  breakerFailures: number;
  breakerWindowMs: number;
  breakerOpenMs: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  hostRequestsPerMinute: number;
  hostDailyBudgetUsd: number;
  dailyBudgetUsd: number;
  defaultPrice: ModelPrice | undefined;
  defaultMaxTokens: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const [variable = '', ...inside] = issue.path.map(String);
      const where = inside.length > 0 ? ` at ${inside.join('.')}` : '';
      return `  ${variable}=${shownValue(variable, env[variable])}${where}: ${issue.message}`;
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
    eventBufferBytes: e.VIAL_EVENT_BUFFER_BYTES,
    hostMemoryBytes: e.VIAL_HOST_MEMORY_BYTES,
    memoryLimitBytes: e.VIAL_MEMORY_LIMIT_BYTES,
    sseKeepAliveMs: e.VIAL_SSE_KEEPALIVE_MS,
    sseRetryMs: e.VIAL_SSE_RETRY_MS,
    abandonGraceMs: e.VIAL_ABANDON_GRACE_MS,
    heartbeatMs: e.VIAL_HEARTBEAT_MS,
    sessionIdleMs: e.VIAL_SESSION_IDLE_MS,
    maxSessionsPerHost: e.VIAL_MAX_SESSIONS_PER_HOST,
    maxSessionsPerToken: e.VIAL_MAX_SESSIONS_PER_TOKEN,
    tokenRate: e.VIAL_TOKEN_RATE,
    tokenBurst: e.VIAL_TOKEN_BURST,
    authFailuresPerMinute: e.VIAL_AUTH_FAILURES_PER_MIN,
    drainMs: e.VIAL_DRAIN_MS,
    metricsToken: e.VIAL_METRICS_TOKEN,
    webDir: e.VIAL_WEB_DIR,
    fixtures: e.VIAL_FIXTURES,
    admission: admissionOf(e),
    hostLimits: {
      maxHosts: e.VIAL_MAX_HOSTS,
      newHostsPerMinute: e.VIAL_NEW_HOSTS_PER_MIN,
      socketsPerAddress: e.VIAL_TAB_SOCKETS_PER_ADDRESS,
      offlineHostTtlMs: e.VIAL_OFFLINE_HOST_TTL_MS,
      tabBytesPerSecond: e.VIAL_TAB_BYTES_PER_SEC,
      tabsBytesPerSecond: e.VIAL_TABS_BYTES_PER_SEC,
      tabBurstBytes: e.VIAL_TAB_BURST_BYTES,
      tabThrottleDropMs: e.VIAL_TAB_THROTTLE_DROP_MS,
    },
    llm: {
      providers: llmProviders(e, env),
      prices: { ...(defaultPrices as PriceTable), ...e.VIAL_LLM_PRICES },
      maxRetries: e.VIAL_LLM_MAX_RETRIES,
      backoffBaseMs: e.VIAL_LLM_BACKOFF_BASE_MS,
      backoffMaxMs: e.VIAL_LLM_BACKOFF_MAX_MS,
      retryAfterCapMs: e.VIAL_LLM_RETRY_AFTER_CAP_MS,
      breakerFailures: e.VIAL_LLM_BREAKER_FAILURES,
      breakerWindowMs: e.VIAL_LLM_BREAKER_WINDOW_MS,
      breakerOpenMs: e.VIAL_LLM_BREAKER_OPEN_MS,
      connectTimeoutMs: e.VIAL_LLM_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.VIAL_LLM_IDLE_TIMEOUT_MS,
      hostRequestsPerMinute: e.VIAL_LLM_HOST_REQUESTS_PER_MIN,
      hostDailyBudgetUsd: e.VIAL_LLM_HOST_DAILY_BUDGET_USD,
      dailyBudgetUsd: e.VIAL_LLM_DAILY_BUDGET_USD,
      defaultPrice: e.VIAL_LLM_DEFAULT_PRICE,
      defaultMaxTokens: e.VIAL_LLM_DEFAULT_MAX_TOKENS,
    },
  };
}

function refuse(line: string): never {
  throw new ConfigError(`Invalid relay configuration:\n  ${line}`);
}

/** Variables whose values are secrets: a configuration error names them but never shows them. */
const SECRET_VARIABLE = /(_SECRET|_TOKEN|_API_KEY|PASSWORD)$/;

function shownValue(variable: string, value: string | undefined): string {
  if (value !== undefined && SECRET_VARIABLE.test(variable)) return `<${value.length} characters, not shown>`;
  return JSON.stringify(value ?? '');
}

const LOOPBACK_BIND = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

/**
 * Whether people other than the machine's own users can reach this relay: it listens beyond
 * loopback, or a proxy brings it a public name or other clients' traffic.
 */
function isExposed(e: z.infer<typeof envSchema>): string | undefined {
  if (!LOOPBACK_BIND.test(e.VIAL_HOST)) return `VIAL_HOST=${e.VIAL_HOST} listens beyond loopback`;
  const publicHost = e.VIAL_PUBLIC_URL && new URL(e.VIAL_PUBLIC_URL).hostname;
  if (publicHost && !LOCAL_HOSTNAMES.has(publicHost)) {
    return `VIAL_PUBLIC_URL=${e.VIAL_PUBLIC_URL} is not a loopback address`;
  }
  if (e.VIAL_TRUSTED_PROXIES.length > 0) return "VIAL_TRUSTED_PROXIES says a proxy brings it other machines' requests";
  const otherName = e.VIAL_ALLOWED_HOSTS.find((name) => !LOCAL_HOSTNAMES.has(name.replace(/:\d+$/, '').toLowerCase()));
  if (otherName) return `VIAL_ALLOWED_HOSTS names ${otherName}, so a proxy or tunnel reaches it by that name`;
  return undefined;
}

/** Who may host and use LLM keys; a missing or contradictory setting stops the relay at start. */
function admissionOf(e: z.infer<typeof envSchema>): AdmissionConfig {
  const exposed = isExposed(e);
  const mode = e.VIAL_HOST_ADMISSION ?? (exposed ? undefined : 'open');
  if (mode === undefined || (mode === 'open' && exposed)) {
    refuse(
      `VIAL_HOST_ADMISSION${mode ? '=open' : ' is not set'}: ${exposed}, so anyone who reaches it could host on it and spend its LLM keys. Set VIAL_HOST_ADMISSION=enrolment and VIAL_ADMISSION_SECRET (32+ random characters) and give people enrolment codes (pnpm relay:enrol), or bind VIAL_HOST=127.0.0.1 (docs/security.md)`,
    );
  }
  if (mode === 'enrolment' && !e.VIAL_ADMISSION_SECRET) {
    refuse('VIAL_HOST_ADMISSION=enrolment needs VIAL_ADMISSION_SECRET (32+ random characters) to sign codes with');
  }
  if (mode === 'open' && e.VIAL_ADMISSION_SECRET) {
    refuse(
      'VIAL_ADMISSION_SECRET is set but VIAL_HOST_ADMISSION is open, so nothing would check it: set VIAL_HOST_ADMISSION=enrolment, or unset the secret',
    );
  }
  if (mode === 'open' && e.VIAL_ADMITTED_HOSTS.length > 0) {
    refuse(
      'VIAL_ADMITTED_HOSTS lists hosts, but VIAL_HOST_ADMISSION is open and admits everyone: set VIAL_HOST_ADMISSION=enrolment, or unset the list',
    );
  }
  const llmAccess = e.VIAL_LLM_ACCESS ?? (mode === 'open' ? 'all' : 'granted');
  if (llmAccess !== 'granted' && e.VIAL_LLM_HOSTS.length > 0) {
    refuse(
      `VIAL_LLM_HOSTS lists hosts, but VIAL_LLM_ACCESS=${llmAccess} ignores it: set VIAL_LLM_ACCESS=granted, or unset the list`,
    );
  }
  return {
    mode,
    secret: e.VIAL_ADMISSION_SECRET,
    admittedHosts: e.VIAL_ADMITTED_HOSTS,
    llmAccess,
    llmHosts: e.VIAL_LLM_HOSTS,
  };
}

function llmProviders(e: z.infer<typeof envSchema>, env: Record<string, string | undefined>): LlmProviderConfig[] {
  const read = (name: string) => (e as unknown as Record<string, string | undefined>)[name] || undefined;
  const builtins = BUILTIN_LLM_PROVIDERS.flatMap(({ name, wire, envName, baseUrl }) => {
    const apiKey = read(`VIAL_LLM_${envName}_API_KEY`) ?? read(`${envName}_API_KEY`);
    if (!apiKey) return [];
    return [{ name, wire, apiKey, baseUrl: (read(`VIAL_LLM_${envName}_BASE_URL`) ?? baseUrl).replace(/\/$/, '') }];
  });
  const compatible = e.VIAL_LLM_OPENAI_COMPATIBLE.map((entry) => {
    const apiKey = entry.apiKeyEnv ? env[entry.apiKeyEnv] : undefined;
    if (entry.apiKeyEnv && !apiKey) {
      throw new ConfigError(
        `Invalid relay configuration:\n  VIAL_LLM_OPENAI_COMPATIBLE: provider '${entry.name}' reads its key from ${entry.apiKeyEnv}, which is not set`,
      );
    }
    return {
      name: entry.name,
      wire: 'openai-compatible' as const,
      baseUrl: entry.baseUrl.replace(/\/$/, ''),
      apiKey,
      maxTokensField: entry.maxTokensField,
      includeUsage: entry.includeUsage,
    };
  });
  return [...builtins, ...compatible];
}
