/**
 * Which MCP protocol version a request inside a session is served under: the one negotiated at
 * `initialize`. The spec has clients repeat it in the `MCP-Protocol-Version` header and lets a
 * server that gets no header rely on the negotiated version instead (2025-11-25, Transports,
 * "Protocol Version Header"). The SDK's transport only reads the header, and decides from it
 * whether a stream gets a priming event and may be closed for polling (SEP-1699, >= 2025-11-25).
 * So a client that negotiated 2025-11-25 but sends no header, or another supported version,
 * would silently lose resumability; this makes the header say what the session agreed to.
 * Unsupported versions are left alone, so the transport still answers them with 400.
 * `SUPPORTED_PROTOCOL_VERSIONS` is the 2025-era list (the 2.x SDK keeps 2026-07-28 apart, in the
 * modern era's own list); a modern request never reaches a session (see `modern/era.ts`).
 */
import type { IncomingMessage } from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';

const HEADER = 'mcp-protocol-version';

/** The header overrides to serve `req` under the session's negotiated version (empty when none apply). */
export function negotiatedProtocolHeader(req: IncomingMessage, negotiated: string | undefined): Record<string, string> {
  const sent = req.headers[HEADER];
  if (negotiated === undefined || sent === negotiated) return {};
  if (sent !== undefined && !(typeof sent === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(sent))) return {};
  return { [HEADER]: negotiated };
}
