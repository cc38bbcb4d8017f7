/**
 * An error the caller can fix: bad input, an unknown model, a model over the size limit. Its
 * message goes to the MCP client as is. Anything else from a runtime is wrapped with which
 * model and backend it came from.
 */
export class MlError extends Error {
  override name = 'MlError';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
