/**
 * An error a tool reports to the client as a tool result with `isError: true`: what went wrong
 * (`shortMessage`), the specifics (`details`) and what to try (`hints`).
 */
export class ToolError extends Error {
  override name = 'ToolError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly hints: string[];

  constructor(shortMessage: string, options: { details?: string; hints?: string[]; cause?: unknown } = {}) {
    super([shortMessage, options.details, ...(options.hints ?? [])].filter(Boolean).join('\n'), {
      cause: options.cause,
    });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.hints = options.hints ?? [];
  }
}

/**
 * Runs `work`, passing on errors that already say what was wrong and how to fix it (by error
 * name: they may come from a Worker, where comlink keeps the name and message but not the class)
 * as tool errors, unprefixed. Anything else propagates as it is.
 */
export async function explainingErrors<T>(explained: ReadonlySet<string>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && explained.has(error.name)) throw new ToolError(error.message, { cause: error });
    throw error;
  }
}
