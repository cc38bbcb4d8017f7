/**
 * The Node flags the relay runs with: `pnpm start` (both package.json files) and the Docker
 * image's CMD pass them on node's command line, and bench/serverProcess.ts starts its relay with
 * them (relay/src/nodeFlags.test.ts checks the three agree). They cannot be set from inside the
 * process: V8 sizes its heap when it starts, and Node refuses this one in NODE_OPTIONS.
 *
 * `--min-semi-space-size`: V8's young generation grows to 16 MB under load, but after a few idle
 * seconds V8 shrinks it back to 1 MB. A burst of streams after a quiet spell then ran with a
 * scavenge every 12–20 ms instead of every ~200 ms; a stream's objects (its request, sockets,
 * parser, timers) live for the whole answer, so each of those scavenges promoted them to the old
 * generation, which then needed full mark-compacts within the second. With the floor at 16 MB the
 * relay used a quarter to a third less CPU per stream at 64 concurrent streams (bench/RESULTS.md,
 * "The young generation"), for up to 32 MB more memory (two semi-spaces).
 */
export const RELAY_NODE_FLAGS = ['--min-semi-space-size=16'] as const;
