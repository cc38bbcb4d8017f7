/**
 * `pnpm bench:standalone`: `pnpm bench:llm` as two plain JavaScript files that need nothing but
 * Node 20 or later (no install, no tsx), to run it on another machine. On a machine with more
 * cores the clients, the relay, the pipe and the stand-in each get a core of their own, which
 * this repository's 2-vCPU machine cannot show (bench/RESULTS.md, "On a 16-core machine").
 * Copy `dist/bench/` there and run `node llm.bench.mjs` (the same `BENCH_*` options).
 */
import { build } from 'esbuild';

const OUT_DIR = 'dist/bench';

await build({
  // serverProcess.ts forks the child entry beside it: bundled, as serverProcessMain.mjs.
  entryPoints: { 'llm.bench': 'bench/llm.bench.ts', serverProcessMain: 'bench/serverProcessMain.ts' },
  outdir: OUT_DIR,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ws's optional native speed-ups: ws falls back to JavaScript without them.
  external: ['bufferutil', 'utf-8-validate'],
  // CommonJS dependencies (pino, ws) call require() for Node's modules; an ES module has none unless it makes one.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log(
  `Wrote ${OUT_DIR}/llm.bench.mjs and ${OUT_DIR}/serverProcessMain.mjs: copy ${OUT_DIR}/ and run node llm.bench.mjs`,
);
