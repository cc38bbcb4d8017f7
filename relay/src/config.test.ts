import { VialError } from '@vial/shared';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

/** What an exposed relay needs to start: hosts are admitted by enrolment code. */
const ENROLMENT = { VIAL_HOST_ADMISSION: 'enrolment', VIAL_ADMISSION_SECRET: 's'.repeat(32) };

describe('loadConfig', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8787);
    expect(config.fixtures).toEqual([]);
  });

  it('names every invalid variable and its value', () => {
    const load = () => loadConfig({ VIAL_PORT: 'eighty', VIAL_LOG_LEVEL: 'loud', VIAL_PUBLIC_URL: 'not a url' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/VIAL_PORT="eighty"/);
    expect(load).toThrow(/VIAL_LOG_LEVEL="loud"/);
    expect(load).toThrow(/VIAL_PUBLIC_URL="not a url"/);
  });

  it('says what is wrong in the project error vocabulary: short message, then one line per variable', () => {
    let thrown: unknown;
    try {
      loadConfig({ VIAL_PORT: 'eighty' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VialError);
    expect((thrown as VialError).shortMessage).toBe('Invalid relay configuration');
    expect((thrown as VialError).details).toMatch(/^ {2}VIAL_PORT="eighty": /);
    expect((thrown as VialError).message).toBe(`Invalid relay configuration:\n${(thrown as VialError).details}`);
  });

  it('reads the rate limits and drain time, refusing negative or fractional values', () => {
    expect(loadConfig({})).toMatchObject({
      tokenRate: 5000,
      tokenBurst: 10_000,
      authFailuresPerMinute: 20,
      drainMs: 10_000,
    });
    const config = loadConfig({
      VIAL_TOKEN_RATE: '0.5',
      VIAL_TOKEN_BURST: '2',
      VIAL_AUTH_FAILURES_PER_MIN: '0',
      VIAL_DRAIN_MS: '250',
    });
    expect(config).toMatchObject({ tokenRate: 0.5, tokenBurst: 2, authFailuresPerMinute: 0, drainMs: 250 });
    const load = () => loadConfig({ VIAL_TOKEN_RATE: '-1', VIAL_TOKEN_BURST: '1.5', VIAL_DRAIN_MS: 'soon' });
    expect(load).toThrow(/VIAL_TOKEN_RATE="-1"/);
    expect(load).toThrow(/VIAL_TOKEN_BURST="1.5"/);
    expect(load).toThrow(/VIAL_DRAIN_MS="soon"/);
  });

  it('reads the queue limits, refusing zero or fractional values', () => {
    expect(loadConfig({})).toMatchObject({
      clientBufferBytes: 4 * 1024 * 1024,
      tabBufferBytes: 16 * 1024 * 1024,
      sessionMaxPending: 256,
    });
    const config = loadConfig({
      VIAL_CLIENT_BUFFER_BYTES: '65536',
      VIAL_TAB_BUFFER_BYTES: '1048576',
      VIAL_SESSION_MAX_PENDING: '8',
    });
    expect(config).toMatchObject({ clientBufferBytes: 65_536, tabBufferBytes: 1_048_576, sessionMaxPending: 8 });
    const load = () =>
      loadConfig({ VIAL_CLIENT_BUFFER_BYTES: '0', VIAL_TAB_BUFFER_BYTES: 'lots', VIAL_SESSION_MAX_PENDING: '2.5' });
    expect(load).toThrow(/VIAL_CLIENT_BUFFER_BYTES="0"/);
    expect(load).toThrow(/VIAL_TAB_BUFFER_BYTES="lots"/);
    expect(load).toThrow(/VIAL_SESSION_MAX_PENDING="2.5"/);
  });

  it('splits comma lists', () => {
    const config = loadConfig({
      VIAL_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      VIAL_FIXTURES: 'conformance',
    });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.fixtures).toEqual(['conformance']);
  });

  it('takes trusted proxies as addresses or CIDR ranges, naming an entry that is neither', () => {
    expect(loadConfig({ ...ENROLMENT, VIAL_TRUSTED_PROXIES: '10.0.0.5, 172.18.0.0/16' }).trustedProxies).toEqual([
      '10.0.0.5',
      '172.18.0.0/16',
    ]);
    const load = () => loadConfig({ ...ENROLMENT, VIAL_TRUSTED_PROXIES: '10.0.0.5, caddy' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/VIAL_TRUSTED_PROXIES.*'caddy' is not an IP address or CIDR range/s);
  });

  it('configures LLM providers that have a key, from VIAL_LLM_* or the conventional variable names', () => {
    expect(loadConfig({}).llm.providers).toEqual([]);
    const config = loadConfig({
      ANTHROPIC_API_KEY: 'sk-ant-conventional',
      VIAL_LLM_OPENAI_API_KEY: 'sk-vial',
      OPENAI_API_KEY: 'sk-conventional',
      VIAL_LLM_OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1/',
      GROQ_API_KEY: '',
      OPENROUTER_API_KEY: 'sk-or',
      VIAL_LLM_OPENAI_COMPATIBLE: JSON.stringify([
        { name: 'ollama', baseUrl: 'http://localhost:11434/v1' },
        { name: 'openrouter', baseUrl: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY' },
      ]),
    });
    expect(config.llm.providers).toEqual([
      { name: 'anthropic', wire: 'anthropic', apiKey: 'sk-ant-conventional', baseUrl: 'https://api.anthropic.com' },
      { name: 'openai', wire: 'openai-compatible', apiKey: 'sk-vial', baseUrl: 'http://127.0.0.1:9999/v1' },
      expect.objectContaining({ name: 'ollama', apiKey: undefined, baseUrl: 'http://localhost:11434/v1' }),
      expect.objectContaining({ name: 'openrouter', apiKey: 'sk-or' }),
    ]);
  });

  it('refuses bad LLM settings, naming the variable, and never quotes a key', () => {
    const load = (env: Record<string, string>) => () => loadConfig(env);
    expect(load({ VIAL_LLM_OPENAI_COMPATIBLE: 'ollama' })).toThrow(/VIAL_LLM_OPENAI_COMPATIBLE="ollama": must be JSON/);
    expect(load({ VIAL_LLM_OPENAI_COMPATIBLE: '[{"name":"openai","baseUrl":"http://x"}]' })).toThrow(
      /VIAL_LLM_OPENAI_COMPATIBLE=.* at 0\.name: name is taken by a built-in provider/,
    );
    expect(
      load({ VIAL_LLM_OPENAI_COMPATIBLE: '[{"name":"or","baseUrl":"http://x","apiKeyEnv":"MISSING_KEY"}]' }),
    ).toThrow(/reads its key from MISSING_KEY, which is not set/);
    expect(load({ VIAL_LLM_GEMINI_BASE_URL: 'nope', GEMINI_API_KEY: 'AIza-secret' })).toThrow(
      /VIAL_LLM_GEMINI_BASE_URL="nope"/,
    );
    expect(load({ VIAL_LLM_GEMINI_BASE_URL: 'nope', GEMINI_API_KEY: 'AIza-secret' })).not.toThrow(/AIza-secret/);
    expect(load({ VIAL_LLM_PRICES: '/no/such/file.json' })).toThrow(/VIAL_LLM_PRICES=.*cannot read the file/);
    const limits = load({ VIAL_LLM_HOST_DAILY_BUDGET_USD: '-1', VIAL_LLM_IDLE_TIMEOUT_MS: '0' });
    expect(limits).toThrow(/VIAL_LLM_HOST_DAILY_BUDGET_USD="-1"/);
    expect(limits).toThrow(/VIAL_LLM_IDLE_TIMEOUT_MS="0"/);
  });

  it('reads LLM limits and merges VIAL_LLM_PRICES over the shipped price table', () => {
    const defaults = loadConfig({}).llm;
    expect(defaults).toMatchObject({
      maxRetries: 2,
      retryAfterCapMs: 10_000,
      hostRequestsPerMinute: 60,
      hostDailyBudgetUsd: 5,
    });
    expect(defaults.prices['anthropic:claude-sonnet-4*']).toMatchObject({ input: 3, output: 15 });
    const config = loadConfig({
      VIAL_LLM_PRICES: '{"ollama:llama3.2*":{"input":0,"output":0}}',
      VIAL_LLM_MAX_RETRIES: '0',
    });
    expect(config.llm.prices['ollama:llama3.2*']).toEqual({ input: 0, output: 0 });
    expect(config.llm.prices['anthropic:claude-sonnet-4*']).toBeDefined();
    expect(config.llm.maxRetries).toBe(0);
  });

  it('keeps hosting open on loopback, and refuses to start exposed without admission', () => {
    expect(loadConfig({}).admission).toMatchObject({ mode: 'open', llmAccess: 'all' });
    const exposures = [
      { VIAL_HOST: '0.0.0.0' },
      { VIAL_PUBLIC_URL: 'https://vial.example.com' },
      { VIAL_TRUSTED_PROXIES: '10.0.0.5' },
      { VIAL_ALLOWED_HOSTS: 'localhost:8787,vial.example.com' },
    ];
    for (const exposure of exposures) {
      expect(() => loadConfig(exposure)).toThrow(/VIAL_HOST_ADMISSION is not set: .* VIAL_HOST_ADMISSION=enrolment/);
      expect(() => loadConfig({ ...exposure, VIAL_HOST_ADMISSION: 'open' })).toThrow(/VIAL_HOST_ADMISSION=open: /);
      expect(loadConfig({ ...exposure, ...ENROLMENT }).admission).toMatchObject({
        mode: 'enrolment',
        llmAccess: 'granted',
      });
    }
  });

  it('refuses contradictory admission settings, naming what contradicts what', () => {
    const hostId = 'A'.repeat(22);
    expect(() => loadConfig({ VIAL_HOST_ADMISSION: 'enrolment' })).toThrow(/needs VIAL_ADMISSION_SECRET/);
    expect(() => loadConfig({ VIAL_ADMISSION_SECRET: 's'.repeat(32) })).toThrow(/nothing would check it/);
    expect(() => loadConfig({ VIAL_ADMITTED_HOSTS: hostId })).toThrow(/VIAL_ADMITTED_HOSTS lists hosts/);
    expect(() => loadConfig({ ...ENROLMENT, VIAL_LLM_ACCESS: 'all', VIAL_LLM_HOSTS: hostId })).toThrow(
      /VIAL_LLM_HOSTS lists hosts, but VIAL_LLM_ACCESS=all/,
    );
    expect(() => loadConfig({ ...ENROLMENT, VIAL_ADMITTED_HOSTS: 'not-a-host' })).toThrow(/VIAL_ADMITTED_HOSTS=/);
    expect(loadConfig({ ...ENROLMENT, VIAL_LLM_HOSTS: hostId }).admission.llmHosts).toEqual([hostId]);
  });

  it('never prints a secret in a configuration error', () => {
    const secrets = {
      VIAL_METRICS_TOKEN: 'metrics-tok',
      VIAL_ADMISSION_SECRET: 'too-short-secret',
      VIAL_LLM_OPENAI_BASE_URL: 'not a url',
    };
    let message = '';
    try {
      loadConfig(secrets);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/VIAL_METRICS_TOKEN=<11 characters, not shown>/);
    expect(message).toMatch(/VIAL_ADMISSION_SECRET=<16 characters, not shown>/);
    expect(message).not.toContain('metrics-tok');
    expect(message).not.toContain('too-short-secret');
  });
});
