/**
 * Which compute backend runs a call: WebGPU first, then WASM, then plain JS on the CPU, or the
 * one the caller names. Results report the backend that actually ran and, when it differs
 * from what was asked, why.
 */
import { z } from 'zod';
import { MlError } from './errors.ts';

export const REQUESTED_BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
export const requestedBackendSchema = z
  .enum(REQUESTED_BACKENDS)
  .default('auto')
  .describe("'webgpu' (the user's GPU), 'wasm', 'cpu', or 'auto': WebGPU when the browser has it, else WASM");
export type RequestedBackend = (typeof REQUESTED_BACKENDS)[number];
export type Backend = Exclude<RequestedBackend, 'auto'>;

export interface BackendChoice {
  backend: Backend;
  /** Why `auto` picked this one, when it was not the first choice. */
  reason?: string;
}

let adapter: Promise<boolean> | undefined;

/** Whether this Worker can get a WebGPU adapter (asked once). */
export function webGpuAvailable(gpu: GPU | undefined): Promise<boolean> {
  adapter ??= gpu
    ? gpu.requestAdapter().then(
        (found) => found !== null,
        () => false,
      )
    : Promise.resolve(false);
  return adapter;
}

/** Resolves `auto` and refuses `webgpu` where there is none, with what to do instead. */
export async function chooseBackend(
  requested: RequestedBackend,
  gpu: GPU | undefined,
  fallback: Backend,
): Promise<BackendChoice> {
  const hasGpu = await webGpuAvailable(gpu);
  if (requested === 'webgpu' && !hasGpu) {
    throw new MlError(`WebGPU is not available in this browser; call again with backend 'wasm' (or 'auto').`);
  }
  if (requested === 'auto') {
    return hasGpu ? { backend: 'webgpu' } : { backend: fallback, reason: 'this browser has no WebGPU adapter' };
  }
  return { backend: requested };
}

/**
 * WASM threads for this context: they need SharedArrayBuffer, which only a cross-origin isolated
 * page (and its Workers) has; more than four buy little for models this size.
 */
export function wasmThreads(): number {
  return self.crossOriginIsolated ? Math.min(4, self.navigator.hardwareConcurrency || 1) : 1;
}
