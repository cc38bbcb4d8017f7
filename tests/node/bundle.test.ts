/**
 * The JavaScript fetched before the first paint (`bench/initialJs.ts` says which files) stays under
 * a gzip budget and holds none of the ML libraries, which belong in the ML Worker's chunks only,
 * nor the conformance fixtures, which are downloaded only where the relay switches them on, nor
 * the MCP SDK's server, which the tab loads when it goes online (web/src/server/sessionCode.ts).
 * Needs a build: `pnpm test` builds first; alone, run `pnpm build` before this file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INITIAL_JS_GZIP_BUDGET_KB, initialJs, kB } from '../../bench/initialJs.ts';

const DIST = 'dist/web';
const built = existsSync(`${DIST}/index.html`);
if (!built)
  console.warn(
    `tests/node/bundle.test.ts: ${DIST} is missing, so the initial JS checks are skipped; run \`pnpm build\` first`,
  );

/**
 * Strings each library's code carries through minification (checked against a production Vite
 * build of each, May 2026: onnxruntime-web 1.30, @tensorflow/tfjs* 4.22, @huggingface/transformers
 * 4.3), found in the library's own runtime code rather than in names a tool description might use.
 * `bundle` is a published bundle of the library (under web/node_modules, where the web app's
 * dependencies are) that must contain the marker, so a release that
 * drops it fails here instead of silently passing the check below.
 */
const ML_MARKERS = [
  // ort's wasm glue, when the WebAssembly backend fails to start (transformers.js bundles it too).
  {
    library: 'onnxruntime-web',
    marker: "Can't initialize onnxruntime",
    bundle: 'onnxruntime-web/dist/ort.bundle.min.mjs',
  },
  // tfjs-core's flags key; every @tensorflow/tfjs-backend-* imports tfjs-core.
  { library: '@tensorflow/tfjs', marker: 'tfjsflags', bundle: '@tensorflow/tfjs/dist/tf.min.js' },
  // The issue link in transformers.js's error messages.
  {
    library: '@huggingface/transformers',
    marker: 'huggingface/transformers.js/issues',
    bundle: '@huggingface/transformers/dist/transformers.web.min.js',
  },
];

/** A message of the SDK's McpServer, kept through minification as a template literal. */
const MCP_SERVER_MARKER = /Resource template \$\{\w+\} is already registered/;
const MCP_SERVER_DIST = 'web/node_modules/@modelcontextprotocol/server/dist';

describe('MCP server marker', () => {
  it(`is in @modelcontextprotocol/server's own build`, () => {
    const builds = readdirSync(MCP_SERVER_DIST).filter((name) => name.endsWith('.mjs'));
    expect(builds.some((name) => MCP_SERVER_MARKER.test(readFileSync(`${MCP_SERVER_DIST}/${name}`, 'utf8')))).toBe(
      true,
    );
  });
});

describe('ML library markers', () => {
  for (const { library, marker, bundle } of ML_MARKERS) {
    it(`'${marker}' is in ${library}'s own bundle`, () => {
      expect(readFileSync(`web/node_modules/${bundle}`, 'utf8')).toContain(marker);
    });
  }
});

describe.skipIf(!built)(
  `initial JavaScript of ${DIST}${built ? '' : ' (skipped: no build; run `pnpm build` first)'}`,
  () => {
    const files = built ? initialJs(DIST) : [];

    it(`is at most ${INITIAL_JS_GZIP_BUDGET_KB} kB gzipped`, () => {
      const gzipBytes = files.reduce((sum, file) => sum + file.gzipBytes, 0);
      const perFile = files.map((file) => `${file.path} ${kB(file.gzipBytes)} kB`).join(', ');
      expect(gzipBytes / 1000, `initial JS: ${perFile}`).toBeLessThanOrEqual(INITIAL_JS_GZIP_BUDGET_KB);
    });

    it('holds no test fixture pack', () => {
      // A fixed tool name of the conformance pack (web/src/fixtures/conformance/content.ts).
      expect(files.filter((file) => file.code.includes('test_simple_text')).map((file) => file.path)).toEqual([]);
    });

    it('holds no MCP SDK server, which is loaded once the tab is online', () => {
      expect(files.filter((file) => MCP_SERVER_MARKER.test(file.code)).map((file) => file.path)).toEqual([]);
    });

    for (const { library, marker } of ML_MARKERS) {
      it(`holds no ${library}`, () => {
        expect(files.filter((file) => file.code.includes(marker)).map((file) => file.path)).toEqual([]);
      });
    }
  },
);
