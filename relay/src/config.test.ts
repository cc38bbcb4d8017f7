import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

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
});
