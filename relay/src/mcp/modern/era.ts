/**
 * Which MCP era a POST belongs to, decided by the SDK's classifier from the body, with the
 * headers as a cross-check: `legacy` (initialize-based 2025 sessions), `modern` (2026-07-28, every
 * request standing alone) or `reject` (headers and body disagree, a bad `_meta` envelope, a batch
 * with a modern element), with the status and JSON-RPC error the spec names.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  classifyInboundRequest,
  type InboundClassificationOutcome,
  type InboundLadderRejection,
} from '@modelcontextprotocol/server';

export function classifyEra(req: IncomingMessage, body: unknown): InboundClassificationOutcome {
  return classifyInboundRequest({
    httpMethod: 'POST',
    body,
    protocolVersionHeader: single(req.headers['mcp-protocol-version']),
    mcpMethodHeader: single(req.headers['mcp-method']),
    mcpNameHeader: single(req.headers['mcp-name']),
  });
}

/** The classifier's refusal as the whole response, echoing the request's id when it has one (S:597-598). */
export function sendRejection(res: ServerResponse, rejection: InboundLadderRejection, body: unknown): void {
  const id = requestId(body);
  const error = {
    code: rejection.code,
    message: rejection.message,
    ...(rejection.data === undefined ? {} : { data: rejection.data }),
  };
  res
    .writeHead(rejection.httpStatus, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', id, error }));
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function requestId(body: unknown): string | number | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const id = (body as Record<string, unknown>).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
