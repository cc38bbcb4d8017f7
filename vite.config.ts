import { svelte } from '@sveltejs/vite-plugin-svelte';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig } from 'vite';
import { mcpApps } from './vite.apps.ts';

/**
 * transformers.js depends on its own build of onnxruntime-web, not the web app's: its wasm files
 * are reached as `transformers-ort/…` so the Worker serves the ones that match its JS.
 */
const fromTransformers = createRequire(
  createRequire(new URL('./web/package.json', import.meta.url)).resolve('@huggingface/transformers'),
);
const transformersOrt = dirname(fromTransformers.resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm'));

/** Cross-origin isolation, so workers get SharedArrayBuffer and threaded WASM (the relay sends the same). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** `pnpm dev` beside a running relay (`pnpm --filter @vial/relay start`): the tab socket and MCP go to it. */
const relay = process.env.VIAL_RELAY_URL ?? 'http://localhost:8787';

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  // mcpApps: the MCP Apps, each one HTML file in dist/web/apps, built after the tab (vite.apps.ts).
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } }), mcpApps()],
  resolve: {
    alias: [{ find: /^transformers-ort\//, replacement: `${transformersOrt}/` }],
  },
  // Pre-bundling breaks onnxruntime-web's wasm loading in dev ("expected magic word").
  optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
  },
  worker: { format: 'es' },
  server: {
    headers: isolationHeaders,
    proxy: {
      '/tab': { target: relay, ws: true },
      '/mcp': { target: relay },
      '/healthz': { target: relay },
    },
  },
  preview: { headers: isolationHeaders },
});
