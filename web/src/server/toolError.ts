/**
 * An error a tool reports to the client as a tool result with `isError: true`: what went wrong
 * (`shortMessage`), the specifics (`details`) and what to try (`hints`), in the project's one
 * error vocabulary (`VialError`, in shared/src/vialError.ts).
 */
import { VialError } from '@vial/shared/vialError';

export class ToolError extends VialError {
  override name = 'ToolError';
}

/**
 * Runs `work`, passing on errors that already say what was wrong and how to fix it (any
 * `VialError`, including those a Worker threw: see platform/errorTransfer.ts) as tool errors,
 * with their message as it is. Anything else propagates as it is.
 */
export async function explainingErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof VialError && !(error instanceof ToolError)) {
      const { shortMessage, details, hints, message } = error;
      throw new ToolError(shortMessage, { details, hints, message, cause: error });
    }
    throw error;
  }
}
