import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

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
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
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
