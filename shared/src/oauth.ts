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
