/**
 * An error the caller can fix: bad input, an unknown model, a model over the size limit. Its
 * message goes to the MCP client as is (a `VialError`, so it crosses the Worker boundary whole).
 * Anything else from a runtime is wrapped with which model and backend it came from.
 */
import { VialError } from '@vial/shared/vialError';

export class MlError extends VialError {
  override name = 'MlError';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
