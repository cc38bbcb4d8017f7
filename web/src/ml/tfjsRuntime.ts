/**
 * tfjs, imported on first use, with its WebGPU and WASM backends registered and the WASM
 * binaries handed over as URLs (the app is offline-capable: nothing comes from a CDN).
 */
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type * as Tfjs from '@tensorflow/tfjs';
import type { Backend } from './backends.ts';
import { MlError } from './errors.ts';

export type Tf = typeof Tfjs;

let runtime: Promise<Tf> | undefined;

export function loadTfjs(): Promise<Tf> {
  runtime ??= Promise.all([
    import('@tensorflow/tfjs'),
    import('@tensorflow/tfjs-backend-webgpu'),
    import('@tensorflow/tfjs-backend-wasm'),
  ]).then(([tf, , wasm]) => {
    // The threaded build spawns its own pthread Workers from a script this bundle does not
    // emit, which kills the ML Worker; the SIMD build runs in this Worker's thread.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    return tf;
  });
  return runtime;
}

/** Makes `backend` tfjs's current one; tfjs moves a model's weights to it on first use. */
export async function useBackend(tf: Tf, backend: Backend): Promise<void> {
  if (tf.getBackend() === backend) return;
  let ready = false;
  try {
    ready = await tf.setBackend(backend);
  } catch {
    ready = false;
  }
  if (!ready) throw new MlError(`tfjs could not start its ${backend} backend here; call again with backend 'cpu'.`);
}
