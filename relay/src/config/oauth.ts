/** The relay's settings for OAuth 2.1: clients that sign in, with the person's tab as the consent screen. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { commaList, positiveInt } from './parsers.ts';
import { setting } from './setting.ts';

/** `on` / `off` (also `true` / `false`) as a boolean. */
const onOff = z
  .enum(['on', 'off', 'true', 'false'], { message: 'use on or off' })
  .transform((value) => value === 'on' || value === 'true');

/** `https://host[:port]` with nothing after it, kept as URL.origin writes it (`:443` dropped, case folded). */
const httpsOrigins = commaList.transform((items, ctx) =>
  items.map((item) => {
    const url = URL.parse(item);
    const bare = url?.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (url?.protocol !== 'https:' || !bare || /[/?#]./.test(item.slice('https://'.length))) {
      ctx.addIssue({ code: 'custom', message: `'${item}' is not an https origin: write https://host:port, no path` });
      return z.NEVER;
    }
    return url.origin;
  }),
);

/** The path of a PEM file of one or more certificates, read at start and kept as its text. */
const pemFile = z.string().transform((path, ctx) => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot read the file (${(error as Error).message})` });
    return z.NEVER;
  }
  try {
    new X509Certificate(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a PEM certificate (${(error as Error).message})` });
    return z.NEVER;
  }
  return text;
});

export const OAUTH = {
  title: 'OAuth',
  intro:
    "MCP clients that cannot paste a token (Claude's and ChatGPT's connectors) sign in with OAuth 2.1: the relay is the authorization server, and the person approves each client in their Vial tab. Grants hold token hashes only. See [oauth-spike.md](oauth-spike.md).",
  settings: {
    VIAL_OAUTH: setting({
      to: 'oauth.enabled',
      schema: onOff,
      default: true,
      shownDefault: '`on`',
      meaning: '`off` serves static tokens only: no authorization server, no consent, no OAuth tokens',
    }),
    VIAL_OAUTH_DCR: setting({
      to: 'oauth.dynamicRegistration',
      schema: onOff,
      default: true,
      shownDefault: '`on`',
      meaning:
        'Dynamic Client Registration (RFC 7591), which the 2026-07-28 MCP revision deprecates in favour of Client ID Metadata Documents',
    }),
    VIAL_OAUTH_CIMD: setting({
      to: 'oauth.clientIdMetadataDocuments',
      schema: onOff,
      default: true,
      shownDefault: '`on`',
      meaning:
        "Client ID Metadata Documents (an HTTPS URL as `client_id`), fetched with oidc-provider's SSRF guard, 5 KiB and 2 s limits (an experimental draft-02 feature)",
    }),
    VIAL_OAUTH_CIMD_LOCAL_ORIGINS: setting({
      to: 'oauth.cimdLocalOrigins',
      schema: httpsOrigins,
      default: [],
      meaning:
        'For tests and local development: https origins (`https://localhost:8443`, comma-separated) whose metadata documents may be fetched although they resolve to loopback or private addresses, which the SSRF guard otherwise refuses. Only these exact origins (scheme, host and port); redirects are never followed, and link-local addresses (where cloud metadata services answer) stay refused. Anyone who reaches the relay can have it GET any path on them: list only your own development servers',
    }),
    VIAL_OAUTH_CIMD_LOCAL_CA: setting({
      to: 'oauth.cimdLocalCa',
      schema: pemFile,
      meaning:
        'A PEM file of certificates trusted, besides the system ones, for `VIAL_OAUTH_CIMD_LOCAL_ORIGINS` only (a self-signed development certificate); no other connection of the relay trusts them',
    }),
    VIAL_OAUTH_ACCESS_TTL_S: setting({
      to: 'oauth.accessTtlSeconds',
      schema: positiveInt,
      default: 3600,
      meaning: 'Lifetime of an access token, in seconds; clients refresh after it',
    }),
    VIAL_OAUTH_REFRESH_TTL_S: setting({
      to: 'oauth.refreshTtlSeconds',
      schema: positiveInt,
      default: 30 * 24 * 3600,
      meaning: 'Lifetime of a refresh token, in seconds (each refresh rotates it; reusing an old one ends the grant)',
    }),
    VIAL_OAUTH_GRANT_MAX_DAYS: setting({
      to: 'oauth.grantMaxDays',
      schema: z.coerce.number().int().min(1).max(365),
      default: 90,
      meaning: 'The longest a person may grant a client, in days (1-365)',
    }),
    VIAL_OAUTH_MAX_GRANTS_PER_HOST: setting({
      to: 'oauth.maxGrantsPerHost',
      schema: positiveInt,
      default: 100,
      meaning: 'Grants one host may hold; past it an approval is refused until one is revoked',
    }),
    VIAL_OAUTH_MAX_PENDING_CONSENTS: setting({
      to: 'oauth.maxPendingConsentsPerHost',
      schema: positiveInt,
      default: 8,
      meaning:
        "Consents one host may have waiting; past it a new sign-in's page is refused (429) until one is decided or expires, and no waiting one is denied. One client address (IPv6: its /64) may have 3 of them; past that, that address's own oldest is denied",
    }),
    VIAL_OAUTH_MAX_PENDING_CONSENTS_TOTAL: setting({
      to: 'oauth.maxPendingConsents',
      schema: positiveInt,
      default: 1000,
      meaning: "Consents the relay keeps waiting for all hosts; past it a new sign-in's page is refused (429)",
    }),
    VIAL_OAUTH_REGISTRATIONS_PER_MIN: setting({
      to: 'oauth.registrationsPerMinute',
      schema: positiveInt,
      default: 10,
      meaning: 'Dynamic client registrations one client address (IPv6: its /64) may make per minute; past it 429',
    }),
    VIAL_OAUTH_SIGN_INS_PER_MIN: setting({
      to: 'oauth.signInsPerMinute',
      schema: positiveInt,
      default: 60,
      meaning:
        'Authorization requests (sign-ins started) one client address (IPv6: its /64) may make per minute; past it 429. All sign-ins in progress are capped apart from grants, so a flood cannot crowd them out',
    }),
    VIAL_OAUTH_COOKIE_SECRET: setting({
      to: 'oauth.cookieSecret',
      schema: z.string().min(32, 'use at least 32 random characters'),
      shownDefault: 'random per start',
      meaning:
        'Signs the sign-in flow cookies; set the same 32+ characters on every relay serving one host, else a sign-in must finish on the relay that began it',
    }),
  },
} as const;
