/**
 * The load benchmark's pack: `bench_echo` (the path alone) and `bench_slow`, which takes a few
 * milliseconds and reports progress on the way, so that calls overlap and progress notifications
 * share streams with results. Both answer with the id they were given, which the driver checks.
 * `bench_slow` lives here rather than in a file of its own because only this pack uses it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineContentTool, type ToolPack } from '../web/src/server/toolRegistry.ts';
import { benchEcho } from './echoPack.ts';

export const benchSlow = defineContentTool({
  name: 'bench_slow',
  description:
    'Waits `stepMs` ms `steps` times, reporting progress after each wait, then returns `id`. For benchmarks only.',
  scopes: [],
  access: 'read',
  input: { id: z.string(), steps: z.number().int().min(1).max(100), stepMs: z.number().int().min(0).max(1000) },
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ id, steps, stepMs }, { progress, signal }) => {
    for (let step = 1; step <= steps; step++) {
      await sleep(stepMs, undefined, { signal });
      await progress(step, steps);
    }
    return { content: [{ type: 'text', text: id }] };
  },
});

export const loadPack: ToolPack = { name: 'load', tools: [benchEcho, benchSlow] };
