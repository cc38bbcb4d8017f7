import { ToolError } from '../../host/toolError.ts';

/**
 * Errors from the simulator that already say what was wrong and how to fix it. They may arrive
 * from the Worker, where comlink keeps an error's name and message but not its class.
 */
const EXPLAINED = new Set([
  'QasmError',
  'CircuitJsonError',
  'SimulationError',
  'WebGpuDeviceLostError',
  'WebGpuUnavailableError',
]);

/** Runs `work`, passing the simulator's self-explaining errors on as tool errors, unprefixed. */
export async function explainingErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && EXPLAINED.has(error.name)) throw new ToolError(error.message, { cause: error });
    throw error;
  }
}
