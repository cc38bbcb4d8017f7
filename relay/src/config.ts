/**
 * Relay configuration, read from environment variables and validated once at start. Every
 * problem is reported with the variable's name and what a valid value looks like. The variables
 * themselves (schema, default, docs line, the RelayConfig field each fills) are declared once, in
 * the table under config/ (settings.ts); this module parses with it and adds the checks that
 * span several variables: admission and the LLM providers.
 */
import { VialError } from '@vial/shared';
import { z } from 'zod';
import type { AdmissionConfig } from './hosts/admission.ts';
import { BUILTIN_LLM_PROVIDERS, LLM_PROVIDERS, providerVariable } from './config/llm.ts';
import { SETTINGS, type PartFields, type SettingValues, type TopFields } from './config/settings.ts';
import { LOCAL_HOSTNAMES } from './requestGuard.ts';

export { BUILTIN_LLM_PROVIDERS };

/** The relay's settings, each in the field its table entry names, and what loadConfig derives from several. */
export type RelayConfig = TopFields & {
  admission: AdmissionConfig;
  hostLimits: HostLimitsConfig;
  llm: LlmConfig;
  oauth: OAuthConfig;
  redis: RedisConfig;
};

/** OAuth 2.1 for clients that sign in (relay/src/oauth). */
export type OAuthConfig = PartFields<'oauth'>;

/** Redis, when relays share limits and spend (relay/src/cluster); `url` undefined keeps all in memory. */
export type RedisConfig = PartFields<'redis'>;

/** Bounds on the hosts a relay keeps and what their tabs may send. */
export type HostLimitsConfig = PartFields<'hostLimits'>;

export type LlmConfig = PartFields<'llm'> & {
  /** Only the providers that can be called: built-ins with a key, and every OpenAI-compatible entry. */
  providers: LlmProviderConfig[];
};

export type LlmWire = (typeof BUILTIN_LLM_PROVIDERS)[number]['wire'];

export interface LlmProviderConfig {
  name: string;
  wire: LlmWire;
  baseUrl: string;
  apiKey: string | undefined;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  includeUsage?: boolean;
}

type PerProvider = keyof typeof LLM_PROVIDERS.perProvider;

/** Every variable of the table, and each built-in provider's own (`VIAL_LLM_OPENAI_API_KEY`, …). */
const envSchema = z.object({
  ...Object.fromEntries(
    BUILTIN_LLM_PROVIDERS.flatMap(({ envName }) =>
      Object.entries(LLM_PROVIDERS.perProvider).map(([pattern, { parse }]) => [
        providerVariable(pattern, envName),
        parse,
      ]),
    ),
  ),
  ...Object.fromEntries(Object.entries(SETTINGS).map(([name, { parse }]) => [name, parse])),
});

/** The relay cannot start with this environment: each line names a variable and what is wrong. */
export class ConfigError extends VialError {
  override name = 'ConfigError';

  constructor(lines: string[]) {
    const details = lines.map((line) => `  ${line.trimStart()}`).join('\n');
    super('Invalid relay configuration', { details, message: `Invalid relay configuration:\n${details}` });
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const [variable = '', ...inside] = issue.path.map(String);
      const where = inside.length > 0 ? ` at ${inside.join('.')}` : '';
      return `  ${variable}=${shownValue(variable, env[variable])}${where}: ${issue.message}`;
    });
    throw new ConfigError(lines);
  }
  const values = result.data as SettingValues;
  const config = placed(values);
  config.admission = admissionOf(values);
  if (values.VIAL_OAUTH_CIMD_LOCAL_CA !== undefined && values.VIAL_OAUTH_CIMD_LOCAL_ORIGINS.length === 0) {
    refuse(
      'VIAL_OAUTH_CIMD_LOCAL_CA is set but VIAL_OAUTH_CIMD_LOCAL_ORIGINS lists no origin, so nothing would trust it: list the https origin of your development server, or unset the CA',
    );
  }
  config.llm = { ...(config.llm as object), providers: llmProviders(values, result.data, env) };
  return config as RelayConfig;
}

/** Each value in the RelayConfig field its setting names: `{ port, …, hostLimits: {…}, llm: {…} }`. */
function placed(values: SettingValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [name, { to }] of Object.entries(SETTINGS)) {
    if (to === undefined) continue;
    const value = values[name as keyof SettingValues];
    const [part, field] = to.split('.') as [string, string | undefined];
    if (field === undefined) config[part] = value;
    else ((config[part] ??= {}) as Record<string, unknown>)[field] = value;
  }
  return config;
}

function refuse(line: string): never {
  throw new ConfigError([line]);
}

/** Variables whose values are secrets: a configuration error names them but never shows them. */
const SECRET_VARIABLE = /(_SECRET|_TOKEN|_API_KEY|PASSWORD|_REDIS_URL)$/;

function shownValue(variable: string, value: string | undefined): string {
  if (value !== undefined && SECRET_VARIABLE.test(variable)) return `<${value.length} characters, not shown>`;
  return JSON.stringify(value ?? '');
}

const LOOPBACK_BIND = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

/**
 * Whether people other than the machine's own users can reach this relay: it listens beyond
 * loopback, or a proxy brings it a public name or other clients' traffic.
 */
function isExposed(e: SettingValues): string | undefined {
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
function admissionOf(e: SettingValues): AdmissionConfig {
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

function llmProviders(
  e: SettingValues,
  parsed: Record<string, unknown>,
  env: Record<string, string | undefined>,
): LlmProviderConfig[] {
  const read = (pattern: PerProvider, envName: string) =>
    (parsed[providerVariable(pattern, envName)] as string | undefined) || undefined;
  const builtins = BUILTIN_LLM_PROVIDERS.flatMap(({ name, wire, envName, baseUrl }) => {
    const apiKey = read('VIAL_LLM_<P>_API_KEY', envName) ?? read('<P>_API_KEY', envName);
    if (!apiKey) return [];
    return [{ name, wire, apiKey, baseUrl: (read('VIAL_LLM_<P>_BASE_URL', envName) ?? baseUrl).replace(/\/$/, '') }];
  });
  const compatible = e.VIAL_LLM_OPENAI_COMPATIBLE.map((entry) => {
    const apiKey = entry.apiKeyEnv ? env[entry.apiKeyEnv] : undefined;
    if (entry.apiKeyEnv && !apiKey) {
      throw new ConfigError([
        `VIAL_LLM_OPENAI_COMPATIBLE: provider '${entry.name}' reads its key from ${entry.apiKeyEnv}, which is not set`,
      ]);
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
