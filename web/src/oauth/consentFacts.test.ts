import type { OAuthClient } from '@vial/shared';
import { describe, expect, it } from 'vitest';
import {
  clientFacts,
  DYNAMIC_REGISTRATION,
  LOOPBACK_WARNING,
  matchCodeComplete,
  normalizeMatchCode,
  timeLeft,
  urlHost,
} from './consentFacts.ts';

const cimdClient: OAuthClient = {
  clientId: 'https://client.example.com/oauth/metadata.json',
  name: 'Example Agent',
  cimd: true,
  clientUri: 'https://client.example.com/about',
  logoHost: 'cdn.example.com',
  redirectHosts: ['client.example.com'],
  loopbackOnly: false,
};

describe('clientFacts', () => {
  it('names a metadata-document client by its URL, its site host and its redirect hosts', () => {
    const facts = clientFacts(cimdClient);
    expect(facts).toMatchObject({
      name: 'Example Agent',
      hiddenWarning: undefined,
      siteHost: 'client.example.com',
      logoHost: 'cdn.example.com',
      redirectHosts: ['client.example.com'],
      loopbackWarning: undefined,
      metadataUrl: 'https://client.example.com/oauth/metadata.json',
      identity: 'metadata document at https://client.example.com/oauth/metadata.json',
    });
  });

  it('says a client registered itself, and warns when every redirect is loopback', () => {
    const facts = clientFacts({
      clientId: 'dcr_3f9a',
      name: 'mcp-remote',
      cimd: false,
      redirectHosts: ['127.0.0.1', 'localhost'],
      loopbackOnly: true,
    });
    expect(facts.identity).toBe(DYNAMIC_REGISTRATION);
    expect(facts.metadataUrl).toBeUndefined();
    expect(facts.loopbackWarning).toBe(LOOPBACK_WARNING);
    expect(facts.siteHost).toBeUndefined();
  });

  it('shows hidden and direction characters in what the client wrote, and says so', () => {
    const facts = clientFacts({ ...cimdClient, name: 'Claude\u202Eevil', redirectHosts: ['a\u200Bb.example'] });
    expect(facts.name).toBe('Claude⟨U+202E⟩evil');
    expect(facts.redirectHosts).toEqual(['a⟨U+200B⟩b.example']);
    expect(facts.hiddenWarning).toMatch(/U\+202E \(right-to-left override\)/);
    expect(facts.hiddenWarning).toMatch(/U\+200B \(zero-width space\)/);
  });

  it('takes a site host only from an http(s) URL', () => {
    expect(urlHost('javascript:alert(1)')).toBeUndefined();
    expect(urlHost('not a url')).toBeUndefined();
    expect(urlHost('https://example.com:8443/x')).toBe('example.com:8443');
    expect(clientFacts({ ...cimdClient, clientUri: 'data:text/html,hi' }).siteHost).toBeUndefined();
  });
});

describe('match codes', () => {
  it('reads what the person typed in the relay form', () => {
    expect(normalizeMatchCode('  Tulip  Ocean-river.STONE ')).toBe('tulip ocean river stone');
    expect(normalizeMatchCode('tulip_ocean river\tstone')).toBe('tulip ocean river stone');
    expect(normalizeMatchCode('')).toBe('');
  });

  it('is complete at four words, not before and not after', () => {
    expect(matchCodeComplete('tulip ocean river')).toBe(false);
    expect(matchCodeComplete('tulip ocean river stone')).toBe(true);
    expect(matchCodeComplete('tulip ocean river stone moss')).toBe(false);
    expect(matchCodeComplete(`${'a'.repeat(40)} b c ${'d'.repeat(40)}`)).toBe(false);
  });
});

describe('timeLeft', () => {
  it('counts down in minutes, then seconds, then says expired', () => {
    expect(timeLeft(10_000 + 9 * 60_000, 10_000)).toBe('9 min');
    expect(timeLeft(10_000 + 40_000, 10_000)).toBe('40 s');
    expect(timeLeft(10_000, 10_000)).toBe('expired');
  });
});
