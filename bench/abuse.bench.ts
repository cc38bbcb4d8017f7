/**
 * `pnpm bench:abuse`: a relay open to anonymous hosting (bound to loopback, as the quick start
 * runs) under attack for a bounded time, and what it costs everyone else. In child processes:
 * the relay, an LLM stand-in (OpenAI format; every answer reports `--output-tokens` tokens), a
 * well-behaved Node host serving `bench_echo`, and the attackers (bench/abuseFlood.ts: one
 * anonymous socket trying to make hosts without end, and `--hosts` lying tabs flooding
 * notifications into streams left for later and spending their LLM keys). This process runs
 * `--clients` well-behaved SDK clients calling `bench_echo` one call after another, for
 * `--before` seconds without the attack (the baseline) and `--seconds` with it.
 *
 * It prints the relay's peak RSS over its idle RSS against its configured memory limit, the
 * well-behaved clients' p99 during the attack against before, and the LLM spend the relay
 * charged against its daily budget. Goals: RSS within the limit plus a fixed margin for frames
 * being parsed, p99 within 3x, spend never above budget.
 *
 * All attackers come from 127.0.0.1, so the per-address limits are raised to let `--hosts` tabs
 * in (as if from that many addresses); `VIAL_*` variables set anything else on the relay. The
 * attackers and the stand-in that answers their chats run at the lowest CPU priority: on a
 * machine of a few cores they would otherwise take the CPU the well-behaved side needs, which
 * real attackers, on machines of their own, could not.
 */
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { connectClient } from '../tests/support/relay.ts';
import { residentBytes } from '../tests/support/processMemory.ts';
import type { FloodSettings, FloodTally } from './abuseFlood.ts';
import { callEcho, liftAbortListenerLimit, percentile } from './load.ts';
import { intOption } from './options.ts';
import { startServerProcess } from './serverProcess.ts';

const MiB = 1024 * 1024;
/** Room over the memory limit for frames being parsed when the peak was taken (each is ~12x its JSON size for a moment). */
const PEAK_MARGIN_MiB = 256;

const settings = {
  hosts: intOption('hosts', 64, 1),
  seconds: intOption('seconds', 20, 1),
  before: intOption('before', 8, 1),
  clients: intOption('clients', 8, 1),
  frameKb: intOption('frame-kb', 256, 1),
  chats: intOption('chats', 2, 0),
  outputTokens: intOption('output-tokens', 2000, 1),
};

const relayEnv: Record<string, string> = {
  VIAL_MEMORY_LIMIT_BYTES: String(64 * MiB),
  VIAL_HOST_MEMORY_BYTES: String(4 * MiB),
  VIAL_LLM_HOST_DAILY_BUDGET_USD: '0.02',
  VIAL_LLM_DAILY_BUDGET_USD: '0.1',
  VIAL_NEW_HOSTS_PER_MIN: String(settings.hosts + 16),
  VIAL_TAB_SOCKETS_PER_ADDRESS: String(settings.hosts + 16),
  VIAL_TOKEN_RATE: '0',
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('VIAL_') && !!entry[1],
    ),
  ),
};

const standIn = await startServerProcess('llm-stand-in', {
  llmReply: { deltas: 20, delayMs: 5, usage: { input: 20, output: settings.outputTokens } },
});
setPriority(standIn.pid, 19);
const relay = await startServerProcess('relay', {
  env: { ...relayEnv, OPENAI_API_KEY: 'sk-bench', VIAL_LLM_OPENAI_BASE_URL: standIn.url },
});
const host = await startServerProcess('host', { relayUrl: relay.url });
const clients: Client[] = [];
for (let i = 0; i < settings.clients; i++) {
  const client = await connectClient(host.url, host.token!, `well-behaved-${i}`);
  liftAbortListenerLimit(client);
  clients.push(client);
}

/** Every client calls `bench_echo` back to back for `seconds`; the latencies of all calls, sorted. */
async function callFor(seconds: number): Promise<number[]> {
  const until = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; performance.now() < until; i++) {
        const started = performance.now();
        await callEcho(client, `client ${c} call ${i}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  return Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
}

await callFor(2);
const idle = await residentBytes(relay.pid);
const before = await callFor(settings.before);

const floodSettings: FloodSettings = {
  relayUrl: relay.url,
  hosts: settings.hosts,
  seconds: settings.seconds,
  frameBytes: settings.frameKb * 1024,
  chats: settings.chats,
  model: 'openai:gpt-4o-mini',
  maxTokens: settings.outputTokens,
};
const flooder = fork(fileURLToPath(new URL('./abuseFlood.ts', import.meta.url)), [JSON.stringify(floodSettings)], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
// The attackers would run on machines of their own: here they get only the CPU the relay and the
// well-behaved host and clients leave, so that what is measured is the relay's handling of them.
setPriority(flooder.pid!, 19);
const tallied = new Promise<FloodTally>((resolve, reject) => {
  flooder.once('message', (message) => resolve(message as FloodTally));
  flooder.once('exit', (code) => reject(new Error(`the flooder exited (${code}) before reporting`)));
});
const during = await callFor(settings.seconds);
const tally = await tallied;
const peak = (await residentBytes(relay.pid)).peak;
const spent = await metric('vial_llm_spent_today_usd');
const kept = await metric('vial_kept_event_bytes');
const budget = Number(relayEnv.VIAL_LLM_DAILY_BUDGET_USD);
const limitMiB = Number(relayEnv.VIAL_MEMORY_LIMIT_BYTES) / MiB;

const p99Before = percentile(before, 99);
const p99During = percentile(during, 99);
const peakOverIdleMiB = (peak - idle.now) / MiB;
console.log(`bench:abuse: ${settings.hosts} lying tabs + 1 anonymous socket for ${settings.seconds} s`);
console.table({
  'well-behaved before': { calls: before.length, p50Ms: percentile(before, 50), p99Ms: p99Before },
  'well-behaved during': { calls: during.length, p50Ms: percentile(during, 50), p99Ms: p99During },
});
console.table({
  relay: {
    idleRssMiB: +(idle.now / MiB).toFixed(1),
    peakRssMiB: +(peak / MiB).toFixed(1),
    keptEventMiB: +(kept / MiB).toFixed(2),
    memoryLimitMiB: limitMiB,
    llmSpentUsd: +spent.toFixed(4),
    llmBudgetUsd: budget,
  },
});
console.table({ attackers: tally });
console.log(
  `BENCH abuse_peak_rss_over_idle ${peakOverIdleMiB.toFixed(1)} MiB baseline=idle-relay goal=<=${limitMiB + PEAK_MARGIN_MiB}(VIAL_MEMORY_LIMIT_BYTES ${limitMiB}+${PEAK_MARGIN_MiB})`,
);
console.log(
  `BENCH abuse_p99_ratio ${(p99During / p99Before).toFixed(2)} x baseline=well-behaved-p99-before-attack goal=<=3`,
);
console.log(`BENCH abuse_llm_spend_ratio ${(spent / budget).toFixed(3)} x baseline=VIAL_LLM_DAILY_BUDGET_USD goal=<=1`);

await Promise.all(clients.map((client) => client.close()));
await host.close();
await relay.close();
await standIn.close();
