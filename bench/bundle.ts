/**
 * `pnpm bench:bundle`: the size of the JavaScript the browser fetches before the app's first paint
 * (see `initialJs.ts` for which files those are), raw and gzipped, per file and in total. It builds
 * nothing: run `pnpm build` first. `--dist=path` measures another build (e.g. an older one kept
 * for comparison).
 *
 * Baseline: 214.14 kB gzip (718.06 kB raw, one file), measured by this script on the build of
 * commit e221525, where every view was in the entry chunk. The goal is the budget that
 * `tests/node/bundle.test.ts` holds the build to.
 */
import { INITIAL_JS_GZIP_BUDGET_KB, initialJs, kB } from './initialJs.ts';
import { textOption } from './options.ts';

const BASELINE_GZIP_KB = 214.14;

const files = initialJs(textOption('dist', 'dist/web'));
const total = (key: 'rawBytes' | 'gzipBytes') => files.reduce((sum, file) => sum + file[key], 0);
const width = Math.max(...files.map((file) => file.path.length), 'total'.length);
console.log(`${'file'.padEnd(width)}  ${'raw kB'.padStart(9)}  ${'gzip kB'.padStart(9)}`);
for (const file of files) {
  console.log(`${file.path.padEnd(width)}  ${kB(file.rawBytes).padStart(9)}  ${kB(file.gzipBytes).padStart(9)}`);
}
console.log(`${'total'.padEnd(width)}  ${kB(total('rawBytes')).padStart(9)}  ${kB(total('gzipBytes')).padStart(9)}`);
console.log(
  `BENCH initial_js_gzip ${kB(total('gzipBytes'))} kB baseline=${BASELINE_GZIP_KB} goal=<=${INITIAL_JS_GZIP_BUDGET_KB}`,
);
