/**
 * What the relay and the tab say to each other about OAuth: the client asking for consent (for
 * display only: nothing in it decides anything) and a grant as the person sees it in the Connect
 * view. The relay is the authorization server; the person, in their tab, is the one who consents.
 */
import { z } from 'zod';
import { hostIdSchema } from './identity.ts';
import { scopeSchema } from './scopes.ts';

/** A consent's handle between relay and tab: random, and never the authorization server's interaction id. */
export const consentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'consent id must be 16-64 base64url characters');
export const oauthGrantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'grant id must be 16-64 base64url characters');

/** What the relay knows about the client asking: shown on the consent screen, never trusted. */
export const oauthClientSchema = z.object({
  /** Its Client ID Metadata Document's URL, or the id the relay gave it at registration. */
  clientId: z.string().min(1).max(2048),
  name: z.string().min(1).max(200),
  /** True: identified by a metadata document at `clientId`; false: "registered dynamically". */
  cimd: z.boolean(),
  clientUri: z.string().max(2048).optional(),
  logoHost: z.string().max(253).optional(),
  /** The hostnames its redirect URIs go to. */
  redirectHosts: z.array(z.string().max(253)).min(1).max(10),
  /** Every redirect goes to this machine (a CLI or desktop client). */
  loopbackOnly: z.boolean(),
});
export type OAuthClient = z.infer<typeof oauthClientSchema>;

/** A grant the person gave a client, as the Connect view lists it. */
export const oauthGrantRecordSchema = z.object({
  grantId: oauthGrantIdSchema,
  hostId: hostIdSchema,
  client: oauthClientSchema,
  scopes: z.array(scopeSchema).max(16),
  /** Epoch milliseconds. */
  grantedAt: z.number().int(),
  expiresAt: z.number().int(),
  lastUsedAt: z.number().int().nullable(),
});
export type OAuthGrantRecord = z.infer<typeof oauthGrantRecordSchema>;

const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');
/** How many consumed refresh tokens of a grant are remembered, so reusing one still ends the grant after a restart. */
export const OAUTH_CONSUMED_KEPT = 8;
/** Largest dynamically registered client's metadata kept with a grant, as JSON. */
export const OAUTH_REGISTRATION_MAX_BYTES = 4096;

/**
 * A grant as the relay mirrors it to the host's tab, which keeps it and hands it back on
 * `register` after a relay restart: the Connect view's record plus what the authorization server
 * needs to go on honouring it. Hashes only: no token in it works as a token.
 */
export const oauthGrantStateSchema = oauthGrantRecordSchema.extend({
  /** The MCP URL the grant is for (RFC 8707 resource), which names the host. */
  resource: z.string().min(1).max(2048),
  /** The refresh token the client holds now: its SHA-256 and lifetime (epoch ms); null before the code is redeemed. */
  refresh: z
    .object({
      hash: sha256HexSchema,
      issuedAt: z.number().int(),
      expiresAt: z.number().int(),
      rotations: z.number().int().min(0).max(1_000_000),
    })
    .nullable(),
  /** The refresh tokens already used (newest first): presenting one again ends the grant. */
  consumed: z.array(sha256HexSchema).max(OAUTH_CONSUMED_KEPT),
  /** A dynamically registered client's metadata (public clients: no secret exists), so its client_id survives. */
  registration: z.record(z.string(), z.unknown()).optional(),
});
export type OAuthGrantState = z.infer<typeof oauthGrantStateSchema>;
