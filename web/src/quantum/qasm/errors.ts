/**
 * Errors of the circuit front ends, in viem's style: a one-line `shortMessage` that says what is
 * wrong, `metaMessages` that say what to do, and a `message` that puts them together with where.
 *
 * `QasmError` points at a line and column of the QASM source ("QASM line 4, col 7: unknown gate
 * `cz2`; known gates: …") and quotes the line with a caret under the column.
 * `CircuitJsonError` points at a path in a JSON circuit ("gates[3].targets[0]").
 * Both are `VialError`s (shared/src/vialError.ts): their `metaMessages` are its `hints`.
 */
import { VialError } from '@vial/shared/vialError';

/** A position in QASM source; both 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface QasmErrorOptions {
  /** What to try, e.g. "known gates: h, x, …" or "parse with { lenient: true }". */
  hints?: string[];
  /** The source text, so the message can quote the offending line. */
  source?: string;
}

export class QasmError extends VialError {
  override name = 'QasmError';
  readonly line: number;
  readonly column: number;
  /** The offending source line with a caret under the column (empty when the source was not given). */
  override details: string = '';

  constructor(shortMessage: string, position: SourcePosition, options: QasmErrorOptions = {}) {
    const hints = options.hints ?? [];
    const details = options.source === undefined ? '' : excerpt(options.source, position);
    const message = composeQasm(shortMessage, position, hints, details);
    super(shortMessage, { details, hints, message });
    this.line = position.line;
    this.column = position.column;
    this.details = details;
  }

  /** What to try, e.g. "known gates: h, x, …" (viem's name for the hints). */
  get metaMessages(): string[] {
    return this.hints;
  }

  /** Attaches the source text after the fact (errors are raised deep in the parser, which has it). */
  withSource(source: string): this {
    if (!this.details) {
      this.details = excerpt(source, this);
      this.message = composeQasm(this.shortMessage, this, this.hints, this.details);
    }
    return this;
  }
}

function composeQasm(shortMessage: string, { line, column }: SourcePosition, hints: string[], details: string): string {
  const head = [`QASM line ${line}, col ${column}: ${shortMessage}`, ...hints].join('; ');
  return details ? `${head}\n${details}` : head;
}

/** Quotes the line at `position` with a caret under its column. */
function excerpt(source: string, { line, column }: SourcePosition): string {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = source.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  let end = source.indexOf('\n', start);
  if (end < 0) end = source.length;
  const text = source.slice(start, end).replace(/\r$/, '').replace(/\t/g, ' ');
  const clipped = text.length > 160 ? `${text.slice(0, 157)}...` : text;
  const gutter = `${line} | `;
  const caret = ' '.repeat(gutter.length - 2) + '| ' + ' '.repeat(Math.max(0, Math.min(column - 1, 157))) + '^';
  return `${gutter}${clipped}\n${caret}`;
}

export class CircuitJsonError extends VialError {
  override name = 'CircuitJsonError';
  /** Where in the JSON circuit, e.g. `gates[3].targets[0]` (empty for the whole value). */
  readonly path: string;

  constructor(shortMessage: string, path: string, hints: string[] = []) {
    super(shortMessage, { hints, message: [`${path ? `${path}: ` : ''}${shortMessage}`, ...hints].join('; ') });
    this.path = path;
  }

  /** What to try (viem's name for the hints). */
  get metaMessages(): string[] {
    return this.hints;
  }
}
