/** JSON-RPC and EIP-1193 errors as a wallet hands them to a page: plain `{ code, message, data }`. */
import { z } from 'zod';

/** EIP-1193 provider error codes (and EIP-3085's unknown chain). */
export const ProviderErrorCode = {
  userRejected: 4001,
  unauthorized: 4100,
  unsupportedMethod: 4200,
  unrecognizedChain: 4902,
  invalidParams: -32602,
  internal: -32603,
} as const;

const RpcErrorSchema = z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() });
export type RpcError = z.infer<typeof RpcErrorSchema>;

/** What a wallet answers: a result or an error, never a throw, so `code` survives the trip to a page. */
export type RpcAnswer = { result: unknown } | { error: RpcError };

export class ProviderRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const ResponseSchema = z.union([
  z.object({ error: RpcErrorSchema }),
  z.object({ result: z.unknown() }).refine((body) => 'result' in body, 'a JSON-RPC response has a result or an error'),
]);

/** One JSON-RPC call; the node's error comes back as a ProviderRpcError with its code and data unchanged. */
export async function rpcCall(url: string, method: string, params: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: params ?? [] }),
  });
  const body = ResponseSchema.parse(await response.json());
  if ('error' in body) throw new ProviderRpcError(body.error.code, body.error.message, body.error.data);
  return body.result;
}

/**
 * The error a page should see for `error`: the innermost `{ code, message }` in its cause chain
 * (viem wraps a node's error in several layers), or an internal error with its message.
 */
export function toRpcError(error: unknown): RpcError {
  let found: RpcError | undefined;
  for (let cause: unknown = error; cause && typeof cause === 'object'; cause = (cause as { cause?: unknown }).cause) {
    const parsed = RpcErrorSchema.safeParse(cause);
    if (parsed.success) found = parsed.data;
  }
  return found ?? { code: ProviderErrorCode.internal, message: error instanceof Error ? error.message : String(error) };
}
