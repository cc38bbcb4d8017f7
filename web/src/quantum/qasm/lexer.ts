/**
 * OpenQASM 2.0 tokens, read on demand by a cursor that holds only the current token, in plain
 * fields: the parser pulls one token at a time and no token objects are allocated, so a 3 MB
 * file is neither held as a token array nor churned through as millions of small objects.
 * Comments are `//` to end of line and, as many tools write them, `/* … *\/`.
 */
import { QasmError, type SourcePosition } from './errors.ts';

export type TokenKind = 'id' | 'int' | 'real' | 'string' | 'symbol' | 'eof';

/** The symbol at `offset` (the constant strings below, so no slicing per token), if any. */
function symbolAt(source: string, offset: number): string | undefined {
  const c = source[offset]!;
  if (c === '-' && source[offset + 1] === '>') return '->';
  if (c === '=') return source[offset + 1] === '=' ? '==' : undefined;
  return ONE_CHAR_SYMBOLS[c];
}
const ONE_CHAR_SYMBOLS: Record<string, string | undefined> = Object.fromEntries(
  [';', ',', '(', ')', '[', ']', '{', '}', '+', '-', '*', '/', '^'].map((symbol) => [symbol, symbol]),
);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdPart = (c: number) => isIdStart(c) || isDigit(c);

export class TokenStream {
  /** The current token: its kind, text (for strings, the contents without quotes) and position. */
  kind: TokenKind = 'eof';
  text = '';
  line = 1;
  column = 1;
  /** Column just past the current token's last character (tokens never span lines). */
  endColumn = 1;
  /** Where the previous token ended (a missing `;` belongs there). */
  private previousLine = 0;
  private previousEnd = 0;

  private offset = 0;
  private currentLine = 1;
  private lineStart = 0;

  constructor(private readonly source: string) {
    this.scan();
  }

  /** Moves to the next token. */
  advance(): void {
    this.previousLine = this.line;
    this.previousEnd = this.endColumn;
    this.scan();
  }

  /** The current token's text, then advances. */
  take(): string {
    const text = this.text;
    this.advance();
    return text;
  }

  /** A fresh position object for the current token. */
  pos(): SourcePosition {
    return { line: this.line, column: this.column };
  }

  /** Whether the current token is of this kind (a method, so TypeScript does not keep a stale narrowing across `advance`). */
  at(kind: TokenKind): boolean {
    return this.kind === kind;
  }

  isSymbol(symbol: string): boolean {
    return this.kind === 'symbol' && this.text === symbol;
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.advance();
    return true;
  }

  expectSymbol(symbol: string, context: string): void {
    if (!this.isSymbol(symbol)) throw this.expected(`\`${symbol}\` ${context}`);
    this.advance();
  }

  /** The identifier under the cursor (then advances). */
  expectId(context: string): string {
    if (this.kind !== 'id') throw this.expected(context);
    return this.take();
  }

  /** The whole number under the cursor (then advances). */
  expectInt(context: string): number {
    if (this.kind !== 'int') throw this.expected(context);
    return Number(this.take());
  }

  /** How the current token reads in an error message: "`h`", "number `3`", "end of input". */
  describe(): string {
    switch (this.kind) {
      case 'eof':
        return 'end of input';
      case 'int':
      case 'real':
        return `number \`${this.text}\``;
      case 'string':
        return `string "${this.text}"`;
      default:
        return `\`${this.text}\``;
    }
  }

  /**
   * "expected X, found Y". With `afterPrevious` (a missing `;`), when the next token is on a later
   * line the error points just past the previous token, where the `;` belongs.
   */
  expected(what: string, hints: string[] = [], afterPrevious = false): QasmError {
    const moved = afterPrevious && this.previousLine > 0 && this.line > this.previousLine;
    const position = moved ? { line: this.previousLine, column: this.previousEnd } : this.pos();
    const where = moved ? ` (line ${this.line})` : '';
    return new QasmError(`expected ${what}, found ${this.describe()}${where}`, position, { hints });
  }

  private scan(): void {
    this.skipTrivia();
    const { source } = this;
    const start = this.offset;
    const column = start - this.lineStart + 1;
    this.line = this.currentLine;
    this.column = column;
    if (start >= source.length) return this.set('eof', '', start);
    const c = source.charCodeAt(start);
    if (isIdStart(c)) {
      let end = start + 1;
      while (isIdPart(source.charCodeAt(end))) end++;
      return this.set('id', source.slice(start, end), end);
    }
    if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(start + 1)))) return this.number(start);
    if (c === 34) {
      const end = source.indexOf('"', start + 1);
      const newline = source.indexOf('\n', start + 1);
      if (end < 0 || (newline >= 0 && newline < end)) {
        throw new QasmError('unterminated string', this.pos(), { hints: ['close it with `"` on the same line'] });
      }
      return this.set('string', source.slice(start + 1, end), end + 1);
    }
    const symbol = symbolAt(source, start);
    if (symbol) return this.set('symbol', symbol, start + symbol.length);
    const one = source[start]!;
    const shown = String.fromCodePoint(source.codePointAt(start)!);
    const hints =
      one === '='
        ? ['conditions are written `if(c==1)`']
        : one === '>'
          ? ['measurements are written `measure q -> c`']
          : [];
    throw new QasmError(`unexpected character \`${shown}\``, this.pos(), { hints });
  }

  private set(kind: TokenKind, text: string, end: number): void {
    this.kind = kind;
    this.text = text;
    this.endColumn = this.column + end - this.offset;
    this.offset = end;
  }

  /** Integers (`12`) and reals (`1.5`, `.5`, `2.`, `1e-3`, `6.02E+23`). */
  private number(start: number): void {
    const { source } = this;
    let end = start;
    let real = false;
    while (isDigit(source.charCodeAt(end))) end++;
    if (source.charCodeAt(end) === 46) {
      real = true;
      end++;
      while (isDigit(source.charCodeAt(end))) end++;
    }
    const e = source.charCodeAt(end);
    if (e === 101 || e === 69) {
      let exponent = end + 1;
      const sign = source.charCodeAt(exponent);
      if (sign === 43 || sign === 45) exponent++;
      if (isDigit(source.charCodeAt(exponent))) {
        real = true;
        end = exponent;
        while (isDigit(source.charCodeAt(end))) end++;
      }
    }
    if (isIdStart(source.charCodeAt(end))) {
      let tail = end;
      while (isIdPart(source.charCodeAt(tail))) tail++;
      throw new QasmError(`malformed number \`${source.slice(start, tail)}\``, this.pos(), {
        hints: ['numbers look like `3`, `0.5`, `.5` or `1e-3`'],
      });
    }
    this.set(real ? 'real' : 'int', source.slice(start, end), end);
  }

  private skipTrivia(): void {
    const { source } = this;
    for (;;) {
      const c = source.charCodeAt(this.offset);
      if (c === 10) {
        this.offset++;
        this.currentLine++;
        this.lineStart = this.offset;
      } else if (c === 32 || c === 9 || c === 13 || c === 12 || c === 0xfeff) {
        this.offset++;
      } else if (c === 47 && source.charCodeAt(this.offset + 1) === 47) {
        const newline = source.indexOf('\n', this.offset);
        this.offset = newline < 0 ? source.length : newline;
      } else if (c === 47 && source.charCodeAt(this.offset + 1) === 42) {
        const position = { line: this.currentLine, column: this.offset - this.lineStart + 1 };
        const end = source.indexOf('*/', this.offset + 2);
        if (end < 0) throw new QasmError('unterminated comment', position, { hints: ['close it with `*/`'] });
        for (let i = this.offset; i < end; i++) {
          if (source.charCodeAt(i) === 10) {
            this.currentLine++;
            this.lineStart = i + 1;
          }
        }
        this.offset = end + 2;
      } else {
        return;
      }
    }
  }
}
