import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { shownRedisUrl } from './redis.ts';

describe('VIAL_REDIS_URL', () => {
  it('is unset by default: the relay keeps everything in memory', () => {
    expect(loadConfig({}).redis).toEqual({ url: undefined, prefix: 'vial:', timeoutMs: 1000 });
  });

  it('takes redis:// and rediss:// URLs', () => {
    expect(loadConfig({ VIAL_REDIS_URL: 'rediss://:pw@10.0.3.2:6380/1' }).redis.url).toBe(
      'rediss://:pw@10.0.3.2:6380/1',
    );
  });

  it('refuses another scheme, naming the variable and an example but never the value (it may hold a password)', () => {
    expect(() => loadConfig({ VIAL_REDIS_URL: 'http://:hunter22@10.0.3.2:6379' })).toThrow(
      /VIAL_REDIS_URL=<\d+ characters, not shown>: must be a redis:\/\/ or rediss:\/\/ URL, e\.g\. redis:\/\/127\.0\.0\.1:6379\/0/,
    );
    expect(() => loadConfig({ VIAL_REDIS_URL: 'http://:hunter22@10.0.3.2:6379' })).not.toThrow(/hunter22/);
  });

  it('refuses a prefix that could not be told apart from the keys under it', () => {
    expect(() => loadConfig({ VIAL_REDIS_PREFIX: 'vial prod' })).toThrow(/VIAL_REDIS_PREFIX="vial prod": use 1 to 64/);
  });
});

describe('shownRedisUrl', () => {
  it('leaves user and password out of what logs and /readyz show', () => {
    expect(shownRedisUrl('redis://admin:s3cret@10.0.3.2:6379/2')).toBe('redis://10.0.3.2:6379/2');
    expect(shownRedisUrl('rediss://:s3cret@cache.internal')).toBe('rediss://cache.internal');
  });
});
