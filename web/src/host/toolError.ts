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
