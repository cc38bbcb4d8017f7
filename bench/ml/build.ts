/**
 * Builds what `bench:ml` serves: the web app as `pnpm build` does, and the bench page
 * (bench/ml/index.html + page.ts) under `bench-ml/` beside it, both with the app's own
 * vite.config.ts (its `transformers-ort/` alias and Worker settings), into a fresh temp folder.
 * The relay then serves both from one origin, with its cross-origin isolation headers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const configFile = join(repo, 'vite.config.ts');
const pageDir = fileURLToPath(new URL('.', import.meta.url));
const onnxEngine = join(repo, 'web/src/ml/onnxEngine.ts');

/**
 * onnxruntime-web is the web package's dependency, not the root's: the page's own import of it
 * resolves as the engine's does, so both get one module (and the wasm paths the engine set).
 */
const webOnnxRuntime: Plugin = {
  name: 'bench-ml-web-onnxruntime',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source !== 'onnxruntime-web' || !importer?.startsWith(pageDir)) return null;
    return this.resolve(source, onnxEngine, { skipSelf: true });
  },
};

/** Where the bench page is served on the relay's origin. */
export const BENCH_PAGE_PATH = '/bench-ml/';

/** Builds the app and the bench page; returns the folder to serve (`VIAL_WEB_DIR`). */
export async function buildBenchSite(): Promise<string> {
  const webDir = mkdtempSync(join(tmpdir(), 'vial-bench-ml-'));
  // The app's own root ('web') and public folder come from vite.config.ts.
  await build({ configFile, logLevel: 'error', build: { outDir: webDir, emptyOutDir: true } });
  await build({
    configFile,
    logLevel: 'error',
    root: pageDir,
    plugins: [webOnnxRuntime],
    base: BENCH_PAGE_PATH,
    publicDir: false,
    build: { outDir: join(webDir, BENCH_PAGE_PATH), emptyOutDir: true },
  });
  return webDir;
}
