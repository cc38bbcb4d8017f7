/**
 * The fast loop, `pnpm test:unit`: the unit tests that sit beside the modules, with nothing
 * built and nothing started (no relay, no browser, no anvil, no child process, no socket, no
 * Worker, no GPU), in under 30 seconds on two cores. `pnpm test` still runs everything through
 * vitest.config.ts.
 */
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  test: {
    ...base.test,
    // One module graph per worker instead of one per file: 8 s instead of 26 s here. These tests
    // restore what they change (fake timers, stubbed globals); `pnpm test` still isolates every
    // file, so a test that leaks state shows up there too.
    isolate: false,
    // The full run's tests beside the modules; tests/ holds the ones that start a relay.
    include: (base.test?.include ?? []).filter((pattern) => !pattern.startsWith('tests/')),
    exclude: [
      ...configDefaults.exclude,
      // WebGPU kernels on Dawn (the npm `webgpu` package) with SwiftShader: a GPU device, ~20 s.
      '**/webgpu/gpuBackend.test.ts',
      '**/webgpu/cpu.test.ts',
      // The QASMBench corpus, parsed and simulated circuit by circuit: ~19 s.
      '**/*qasmbench.test.ts',
      // The CPU engine's thread pool: starts node:worker_threads.
      '**/cpu/threads.test.ts',
      // Spawns a Node process to check the relay's V8 flags.
      'relay/src/nodeFlags.test.ts',
      // HTTP servers on loopback: request bodies and the ML Worker's downloads.
      'relay/src/http.test.ts',
      '**/ml/download.test.ts',
      // Replaces a module with vi.mock, which needs the module graph of its own that isolate gives.
      'relay/src/hosts/tabFrame.scan.test.ts',
    ],
  },
});
