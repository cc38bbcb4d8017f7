/**
 * Frames exchanged over the tab <-> relay WebSocket. Both sides parse every frame with these
 * schemas before acting on it; anything else is answered with an `error` frame.
 */
import { z } from 'zod';
import { hostIdSchema } from './identity.ts';
import { consentIdSchema, oauthClientSchema, oauthGrantIdSchema, oauthGrantStateSchema } from './oauth.ts';
import { scopeSchema } from './scopes.ts';

export const sessionIdSchema = z.string().min(1).max(128);

/** JSON-RPC ids and messages are checked in shape only; the MCP SDK validates their content. */
const jsonRpcIdSchema = z.union([z.string(), z.number()]);
export const jsonRpcMessageSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: jsonRpcIdSchema.optional(),
  method: z.string().optional(),
});

/** What the relay knows about a token: never the token itself. */
export const tokenRecordSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  /** Lower-case hex SHA-256 of the full token string. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  scopes: z.array(scopeSchema),
  /** Epoch milliseconds; null means the token never expires. */
  expiresAt: z.number().int().nullable(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

/** Who is calling: attached to every session so the tab can check scopes and show the client. */
export const clientIdentitySchema = z.object({
  tokenId: z.string(),
  tokenName: z.string(),
  scopes: z.array(scopeSchema),
  /** Set when the token came from an OAuth grant (its `tokenId` is then `oauth:<grantId>`). */
  oauth: z.object({ clientId: z.string().max(2048), cimd: z.boolean(), grantId: oauthGrantIdSchema }).optional(),
});
export type ClientIdentity = z.infer<typeof clientIdentitySchema>;

/**
 * Frames of the 2026-07-28 (stateless) era: the relay forwards each modern POST to the tab as
 * one `http-request`, the tab answers it as an HTTP response in frames, and `http-abort` is the
 * client closing its stream (the request's cancellation). Ids are the relay's, per tab socket.
 */
export const httpRequestIdSchema = z.string().min(1).max(64);
/** Longest piece of a streamed response in one `http-chunk` frame, in UTF-16 units (split on code points). */
export const HTTP_CHUNK_MAX_CHARS = 64 * 1024;
/** Longest header value forwarded to the tab; the relay refuses a modern request with a longer one. */
export const HTTP_HEADER_MAX_CHARS = 8192;
/** Longest request body a tab reads from an `http-request` frame. */
const HTTP_REQUEST_MAX_CHARS = 64 * 1024 * 1024;
/**
 * Longest whole response in one `http-response` frame; longer ones are streamed in chunks. Both
 * keep a frame, even one escaped to six bytes a character, well under VIAL_MAX_FRAME_BYTES.
 */
export const HTTP_RESPONSE_MAX_CHARS = 256 * 1024;
/**
 * Largest `host-info` frame, in bytes: an honest one (identity, capabilities, 4096 characters of
 * instructions) is a few KiB. The relay keeps it for as long as it knows the host and serves it on
 * every `server/discover`, so a larger one is refused.
 */
export const HOST_INFO_MAX_BYTES = 32 * 1024;
/** The request headers the tab sees: the MCP ones, lower-case; never credentials, cookies, Origin or Host. */
export const FORWARDED_HEADER_NAME =
  /^(content-type|accept|mcp-protocol-version|mcp-method|mcp-name|mcp-param-[!#$%&'*+.^_`|~0-9a-z-]{1,64})$/;
const forwardedHeaderNameSchema = z.string().regex(FORWARDED_HEADER_NAME);
const httpResponseHeadersSchema = z
  .object({ 'content-type': z.enum(['application/json', 'text/event-stream']).optional() })
  .strict();
const httpStatusSchema = z.number().int().min(100).max(599);

/** Longest resource URI a `server-event` may name. */
export const SERVER_EVENT_URI_MAX_CHARS = 2048;
/**
 * A change in what the host serves, for clients listening with `subscriptions/listen`
 * (2026-07-28): each kind is one notification (`notifications/tools/list_changed`, …,
 * `notifications/resources/updated` for `uri`), the same shape as the MCP SDK's `ServerEvent`.
 */
export const hostEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tools_list_changed') }),
  z.object({ kind: z.literal('prompts_list_changed') }),
  z.object({ kind: z.literal('resources_list_changed') }),
  z.object({ kind: z.literal('resource_updated'), uri: z.string().min(1).max(SERVER_EVENT_URI_MAX_CHARS) }),
]);
export type HostEvent = z.infer<typeof hostEventSchema>;
/**
 * Who may learn of a change: only tokens holding every one of `scopes` (what reading the changed
 * list or resource needs), and only the token `tokenId` when the resource is that token's own.
 * Without an audience, every token may (tools and prompts are listed to every token).
 */
export const hostEventAudienceSchema = z
  .object({ scopes: z.array(scopeSchema).max(16).optional(), tokenId: z.string().min(1).max(64).optional() })
  .strict();
export type HostEventAudience = z.infer<typeof hostEventAudienceSchema>;

/** Whether the client with this token may learn of a change meant for `audience`. */
export function inAudience(
  tokenId: string,
  scopes: readonly string[],
  audience: HostEventAudience | undefined,
): boolean {
  if (!audience) return true;
  if (audience.tokenId !== undefined && audience.tokenId !== tokenId) return false;
  return (audience.scopes ?? []).every((scope) => scopes.includes(scope));
}

const ping = z.object({ type: z.literal('ping'), id: z.number().int() });
const pong = z.object({ type: z.literal('pong'), id: z.number().int() });

export const tabFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('register'),
    hostId: hostIdSchema,
    secret: z.string().min(32).max(128),
    tokens: z.array(tokenRecordSchema).max(1000),
    /**
     * A relay that admits hosts (any relay not bound to loopback) needs one of these: the
     * admission ticket it gave this host before, or an enrolment code from its operator,
     * redeemed once for a ticket.
     */
    admission: z.string().min(1).max(256).optional(),
    enrolment: z.string().min(1).max(512).optional(),
    /**
     * The OAuth grants the relay last mirrored to this tab (`oauth-grants`). A relay that has not
     * seen this host since it started restores those it can check (this host's resource, scopes,
     * lifetime) and ignores the rest; one that has keeps its own.
     */
    oauthGrants: z.array(oauthGrantStateSchema).max(1000).optional(),
  }),
  z.object({ type: z.literal('tokens'), tokens: z.array(tokenRecordSchema).max(1000) }),
  z.object({
    type: z.literal('mcp'),
    sessionId: sessionIdSchema,
    message: jsonRpcMessageSchema,
    /** The client request this message belongs to, so it goes out on that request's stream. */
    relatedRequestId: jsonRpcIdSchema.optional(),
  }),
  /**
   * Close the client's SSE stream for this request now (SEP-1699 polling): the client resumes
   * with `Last-Event-ID` and gets what follows from the relay's event store. Only honoured for
   * requests the relay marked `streamClosable`.
   */
  z.object({ type: z.literal('close-sse-stream'), sessionId: sessionIdSchema, requestId: jsonRpcIdSchema }),
  /** What `server/discover` tells modern clients, kept by the relay so it can answer with the tab away. */
  z.object({
    type: z.literal('host-info'),
    serverInfo: z.object({ name: z.string().min(1).max(100), version: z.string().min(1).max(64) }),
    capabilities: z.looseObject({}),
    instructions: z.string().max(4096).optional(),
  }),
  /** A whole answer to a modern request. */
  z.object({
    type: z.literal('http-response'),
    id: httpRequestIdSchema,
    status: httpStatusSchema,
    headers: httpResponseHeadersSchema,
    body: z.string().max(HTTP_RESPONSE_MAX_CHARS),
  }),
  /** A streamed answer's head; `http-chunk`s and one `http-end` follow. */
  z.object({
    type: z.literal('http-start'),
    id: httpRequestIdSchema,
    status: httpStatusSchema,
    headers: httpResponseHeadersSchema,
  }),
  z.object({ type: z.literal('http-chunk'), id: httpRequestIdSchema, data: z.string().max(HTTP_CHUNK_MAX_CHARS) }),
  z.object({ type: z.literal('http-end'), id: httpRequestIdSchema, error: z.string().max(500).optional() }),
  /** Something listen streams should hear of: the relay delivers it to the tokens in its audience, at a bounded rate. */
  z.object({ type: z.literal('server-event'), event: hostEventSchema, audience: hostEventAudienceSchema.optional() }),
  /**
   * The person's answer to an `oauth-consent`. An approval names the scopes granted (a subset of
   * those asked; none is a denial), the grant's lifetime in days, and the consent's match code:
   * typed by the person from the page where the sign-in started, or handed over by that page
   * when it runs in the same browser. The relay takes it only from the consent's own host.
   */
  z.object({
    type: z.literal('oauth-consent-decision'),
    consentId: consentIdSchema,
    approve: z.boolean(),
    scopes: z.array(scopeSchema).max(16).optional(),
    grantDays: z.number().int().min(1).max(365).optional(),
    matchCode: z.string().max(64).optional(),
  }),
  /** The person revoked this grant in the tab: its tokens, refresh tokens and sessions end at once. */
  z.object({ type: z.literal('oauth-revoke'), grantId: oauthGrantIdSchema }),
  /** The tab saved the `oauth-grants` frame numbered `seq` (and every one before it). */
  z.object({ type: z.literal('oauth-grants-stored'), seq: z.number().int().nonnegative() }),
  ping,
  pong,
]);
export type TabFrame = z.infer<typeof tabFrameSchema>;

export const relayFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('registered'),
    hostId: hostIdSchema,
    mcpUrl: z.string(),
    /** Fixture tool packs the relay asks the tab to expose (e.g. `conformance` for the official suite). */
    fixtures: z.array(z.string()),
    relayVersion: z.string(),
    /**
     * This tab connection's credential for the relay's LLM gateway (`Authorization: Bearer` on
     * `/llm/*`). It stops working when this connection ends or another tab takes the host.
     */
    llmKey: z.string().optional(),
    /**
     * This host's admission ticket, after it redeemed an enrolment code: the tab keeps it and
     * sends it as `admission` on every later `register` (the code works only once).
     */
    admission: z.string().optional(),
  }),
  z.object({ type: z.literal('session-open'), sessionId: sessionIdSchema, client: clientIdentitySchema }),
  z.object({ type: z.literal('session-close'), sessionId: sessionIdSchema, reason: z.string() }),
  z.object({
    type: z.literal('mcp'),
    sessionId: sessionIdSchema,
    message: jsonRpcMessageSchema,
    /**
     * Set on client requests whose SSE stream the client can resume (the relay sent it a priming
     * event id): the tab may close that stream mid-call with a `close-sse-stream` frame.
     */
    streamClosable: z.boolean().optional(),
  }),
  z.object({ type: z.literal('error'), message: z.string() }),
  /** A modern client's POST: its MCP headers and its body's bytes as sent, and who sent it. */
  z.object({
    type: z.literal('http-request'),
    id: httpRequestIdSchema,
    headers: z.record(forwardedHeaderNameSchema, z.string().max(HTTP_HEADER_MAX_CHARS)),
    /** The relay's VIAL_MAX_BODY_BYTES is the real limit; this only bounds what a tab will read. */
    body: z.string().max(HTTP_REQUEST_MAX_CHARS),
    client: clientIdentitySchema,
  }),
  /** The client closed its response stream: cancel the request and send nothing more for it. */
  z.object({ type: z.literal('http-abort'), id: httpRequestIdSchema }),
  /**
   * An OAuth client asks this host for access; the tab shows it like an approval. The match code
   * is not sent: the person types it from the page where the sign-in started.
   */
  z.object({
    type: z.literal('oauth-consent'),
    consentId: consentIdSchema,
    client: oauthClientSchema,
    /** The scopes asked for, which the person may narrow. */
    scopes: z.array(scopeSchema).max(16),
    /** The address the sign-in came from, shown to the person. */
    requestedFrom: z.string().max(64),
    /** Epoch milliseconds after which the consent can no longer be given. */
    expiresAt: z.number().int(),
  }),
  /** A consent is over (answered here or elsewhere, expired, or its page gone): the tab stops showing it. */
  z.object({
    type: z.literal('oauth-consent-closed'),
    consentId: consentIdSchema,
    reason: z.enum(['decided', 'expired', 'abandoned']),
  }),
  /**
   * This host's OAuth grants as the relay holds them now: sent on register and after every change.
   * The tab keeps them and answers `oauth-grants-stored` with `seq` once they are saved; it sends
   * them back on `register`, which is how grants survive a relay restart.
   */
  z.object({
    type: z.literal('oauth-grants'),
    seq: z.number().int().nonnegative(),
    grants: z.array(oauthGrantStateSchema).max(1000),
  }),
  ping,
  pong,
]);
export type RelayFrame = z.infer<typeof relayFrameSchema>;

/** Parses a raw frame and returns a readable error instead of throwing. */
export function parseFrame<T>(
  schema: z.ZodType<T>,
  raw: string,
): { ok: true; frame: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'frame is not valid JSON' };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, frame: result.data };
  return { ok: false, error: `invalid frame: ${z.prettifyError(result.error)}` };
}
