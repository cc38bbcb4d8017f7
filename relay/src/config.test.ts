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

  it('splits comma lists', () => {
    const config = loadConfig({
      VIAL_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      VIAL_FIXTURES: 'conformance',
    });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.fixtures).toEqual(['conformance']);
  });
});
