import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RELAY_NODE_FLAGS } from './nodeFlags.ts';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const startScript = (packageJson: string) =>
  z.object({ scripts: z.object({ start: z.string() }) }).parse(JSON.parse(repoFile(packageJson))).scripts.start;

/** The arguments of the Dockerfile's last exec-form CMD: the runtime image's. */
function dockerCommand(): string[] {
  const commands = [...repoFile('Dockerfile').matchAll(/^CMD (\[.*\])$/gm)];
  return z.array(z.string()).parse(JSON.parse(commands.at(-1)![1]!));
}

describe('the Node flags the relay runs with', () => {
  it('are passed by every way of starting it', () => {
    const commands = {
      'pnpm start': startScript('package.json').split(' '),
      "the relay package's start": startScript('relay/package.json').split(' '),
      "the Docker image's CMD": dockerCommand(),
    };
    for (const [way, args] of Object.entries(commands)) {
      for (const flag of RELAY_NODE_FLAGS) expect(args, way).toContain(flag);
    }
  });

  it('are accepted by this Node, and start the young generation at 16 MB', () => {
    const child = spawnSync(
      process.execPath,
      [
        ...RELAY_NODE_FLAGS,
        '-e',
        "const v8 = require('node:v8'); console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)",
      ],
      { encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(Number(child.stdout)).toBeGreaterThanOrEqual(16 * 1024 * 1024);
  });
});
