import { explainingErrors } from '../server/toolError.ts';

/** Errors from the simulator that already say what was wrong and how to fix it. */
const EXPLAINED = new Set([
  'QasmError',
  'CircuitJsonError',
  'SimulationError',
  'WebGpuDeviceLostError',
  'WebGpuUnavailableError',
]);

/** Runs `work`, passing the simulator's self-explaining errors on as tool errors, unprefixed. */
export function explainingSimulatorErrors<T>(work: () => Promise<T>): Promise<T> {
  return explainingErrors(EXPLAINED, work);
}
