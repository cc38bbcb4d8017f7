/**
 * The OpenQASM 2.0 front end: QASM text or a JSON circuit in, a `Circuit` out; and back out as
 * canonical text (for the hash), QASM, JSON or a text diagram.
 */
import type { Circuit } from '../circuit.ts';
import { compileQasm, type CompileResult, type ParseQasmOptions } from './compile.ts';
import { QasmError } from './errors.ts';

export type { CompileResult, ParseQasmOptions, QasmWarning } from './compile.ts';
export { QasmError, CircuitJsonError } from './errors.ts';
export { canonicalText, circuitHash } from './canonical.ts';
export { circuitFromJson, circuitToJson, circuitJsonSchema, type CircuitJson } from './json.ts';
export { toQasm } from './toQasm.ts';
export { drawCircuit, type DrawOptions } from './diagram.ts';

/** Parses OpenQASM 2.0 into a `Circuit`; throws `QasmError` with line, column and a hint. */
export function parseQasm(source: string, options: ParseQasmOptions = {}): Circuit {
  return parseQasmWithWarnings(source, options).circuit;
}

/** `parseQasm`, also returning what lenient mode accepted (so a tool can tell the user). */
export function parseQasmWithWarnings(source: string, options: ParseQasmOptions = {}): CompileResult {
  try {
    return compileQasm(source, options);
  } catch (error) {
    if (error instanceof QasmError) throw error.withSource(source);
    throw error;
  }
}
