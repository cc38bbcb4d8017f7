/**
 * The project's one error base, in viem's style, for the tab, its Workers and the relay alike:
 * `shortMessage` says what went wrong, `details` the specifics (where, what was seen) and `hints`
 * what to try. `message` puts them together, one per line, unless the error words its own (a
 * QASM error's "line 4, col 7: …; known gates: …", a relay sentence).
 *
 * `toJSON()` is its plain-data form (`ErrorDescription`): it survives structured clone,
 * `postMessage` and JSON, which keep a class's name and message at best. `VialError.fromJSON`
 * rebuilds it on the other side, with the same name and message, so code there recognises it
 * with `instanceof VialError`. No dependencies: the tab's first download and every Worker load it.
 */

/** A `VialError` as plain data. */
export interface ErrorDescription {
  /** The class's name, e.g. `QasmError`. */
  name: string;
  /** What the user reads: the parts put together. */
  message: string;
  shortMessage: string;
  details?: string;
  hints: string[];
}

export interface VialErrorOptions {
  details?: string | undefined;
  hints?: string[] | undefined;
  cause?: unknown;
  /** The message, for errors that word it their own way (default: `composeMessage`). */
  message?: string | undefined;
}

/** The default message: the short message, the details and each hint, one per line. */
export function composeMessage(shortMessage: string, details?: string, hints: readonly string[] = []): string {
  return [shortMessage, details, ...hints].filter(Boolean).join('\n');
}

export class VialError extends Error {
  override name = 'VialError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly hints: string[];

  constructor(shortMessage: string, options: VialErrorOptions = {}) {
    const hints = options.hints ?? [];
    super(options.message ?? composeMessage(shortMessage, options.details, hints), { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.hints = hints;
  }

  toJSON(): ErrorDescription {
    return {
      name: this.name,
      message: this.message,
      shortMessage: this.shortMessage,
      ...(this.details ? { details: this.details } : {}),
      hints: [...this.hints],
    };
  }

  /** The error `description` describes, as a `VialError` with its name and message. */
  static fromJSON(description: ErrorDescription): VialError {
    const { name, message, shortMessage, details, hints } = description;
    const error = new VialError(shortMessage, { details, hints: [...hints], message });
    error.name = name;
    return error;
  }
}

/** Whether `value` has the shape of `VialError#toJSON()`'s result (e.g. after a structured clone). */
export function isErrorDescription(value: unknown): value is ErrorDescription {
  if (typeof value !== 'object' || value === null) return false;
  const { name, message, shortMessage, details, hints } = value as Partial<Record<keyof ErrorDescription, unknown>>;
  return (
    typeof name === 'string' &&
    typeof message === 'string' &&
    typeof shortMessage === 'string' &&
    (details === undefined || typeof details === 'string') &&
    Array.isArray(hints) &&
    hints.every((hint) => typeof hint === 'string')
  );
}
