/**
 * `pnpm models:generate [outDir]`: regenerates the bundled sample models (default public/models).
 * Output is deterministic, so the committed files can be checked against a fresh run.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSamples } from './generateSamples.ts';

const defaultDir = fileURLToPath(new URL('../../public/models', import.meta.url));
const outDir = resolve(process.argv[2] ?? defaultDir);
const written = await generateSamples(outDir);
console.log(`wrote ${written.length} files to ${outDir}`);
