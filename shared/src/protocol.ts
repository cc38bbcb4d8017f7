/**
 * Frames exchanged over the tab <-> relay WebSocket. Both sides parse every frame with these
 * schemas before acting on it; anything else is answered with an `error` frame.
 */
import { z } from 'zod';
import { scopeSchema } from './scopes.ts';

/** Host ids are derived from the host secret (see `deriveHostId`), so they are fixed-length base64url. */
export const hostIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'host id must be 22 base64url characters');
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
});
export type ClientIdentity = z.infer<typeof clientIdentitySchema>;

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
