/**
 * Where the tests find the QASMBench circuits: `VIAL_QASMBENCH_DIR`, else `../shared/qasmbench`
 * beside the repository (where CI has them). They are not vendored into the repo (5 MB); without
 * them the QASMBench suites are skipped, and say so.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export const QASMBENCH_DIR = path.resolve(process.env.VIAL_QASMBENCH_DIR ?? path.join(repoRoot, '../shared/qasmbench'));

/** The suite's circuits as `small/…qasm` and `medium/…qasm`; empty (with a warning) when the suite is absent. */
export function qasmbenchFiles(): string[] {
  if (!existsSync(path.join(QASMBENCH_DIR, 'small'))) {
    console.warn(`QASMBench circuits not found at ${QASMBENCH_DIR}: their tests are skipped (set VIAL_QASMBENCH_DIR)`);
    return [];
  }
  return ['small', 'medium'].flatMap((dir) =>
    readdirSync(path.join(QASMBENCH_DIR, dir))
      .filter((name) => name.endsWith('.qasm'))
      .sort()
      .map((name) => `${dir}/${name}`),
  );
}
