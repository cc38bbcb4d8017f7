/**
 * The 2026-07-28 standard request headers a modern POST must carry (streamable-http S:252,
 * S:293): `MCP-Protocol-Version` and `Mcp-Method` on every request, and `Mcp-Name` mirroring the
 * body's name, uri or taskId where the method has one (decoded first when Base64-wrapped,
 * S:499-501). The SDK's classifier checks that headers present agree with the body; presence
 * and `Mcp-Name` are checked here, so the relay answers them itself, with the tab away too. The
 * SDK's handler in the tab checks the same again (differential test: tests/node/modern/musts).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The JSON-RPC error code of a header that is missing or disagrees with the body. */
export const HEADER_MISMATCH = -32020;

/** Where `Mcp-Name` takes its value from, by method. */
const NAME_SOURCE: Record<string, string> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const BASE64_WRAPPED = /^=\?base64\?(.*)\?=$/s;
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface HeaderMismatch {
  message: string;
  data: { mismatch: { header: string; body: string } };
}

/** Why a modern request's standard headers fail (missing, undecodable, or naming something else), or undefined. */
export function standardHeaderMismatch(
  headers: IncomingHttpHeaders,
  method: string,
  params: unknown,
): HeaderMismatch | undefined {
  if (headers['mcp-protocol-version'] === undefined) {
    return mismatch('(missing)', 'the required MCP-Protocol-Version header is absent');
  }
  if (headers['mcp-method'] === undefined) {
    return mismatch('(missing)', `the body names method ${method} but the required Mcp-Method header is absent`);
  }
  const field = Object.hasOwn(NAME_SOURCE, method) ? NAME_SOURCE[method]! : undefined;
  if (field === undefined) return undefined;
  const value = params !== null && typeof params === 'object' ? (params as Record<string, unknown>)[field] : undefined;
  const bodyValue = typeof value === 'string' ? value : undefined;
  const header = headers['mcp-name'];
  if (typeof header !== 'string') {
    if (bodyValue === undefined) return undefined;
    return mismatch(
      '(missing)',
      `the body carries params.${field}="${bodyValue}" but the required Mcp-Name header is absent`,
    );
  }
  const trimmed = header.replace(/^[\t ]+|[\t ]+$/g, '');
  const decoded = decodeHeaderValue(trimmed);
  if (decoded === undefined) return mismatch(trimmed, 'the Mcp-Name header carries an invalid Base64 value');
  if (bodyValue !== undefined && decoded !== bodyValue) {
    return mismatch(
      trimmed,
      `the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`,
    );
  }
  return undefined;
}

/** A header value as sent, or its UTF-8 text when `=?base64?…?=`-wrapped; undefined when the wrapping is broken. */
function decodeHeaderValue(value: string): string | undefined {
  const wrapped = BASE64_WRAPPED.exec(value);
  if (!wrapped) return value;
  const base64 = wrapped[1]!;
  if (!CANONICAL_BASE64.test(base64)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}

function mismatch(header: string, body: string): HeaderMismatch {
  return {
    message: `Bad Request: the request headers and body disagree: ${body}`,
    data: { mismatch: { header, body } },
  };
}
