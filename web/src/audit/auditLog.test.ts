import { describe, expect, it } from 'vitest';
import {
  AuditLog,
  MemoryAuditStore,
  digestArguments,
  inProcessChecker,
  type AuditCall,
  type AuditChecker,
  type AuditEntry,
} from './auditLog.ts';
import { GENESIS_HASH, hashEntry } from './auditChain.ts';
import { TOO_DEEP_MARKER } from './canonicalJson.ts';

function record(tool: string, args: unknown = {}, overrides: Partial<AuditCall> = {}): AuditCall {
  return {
    at: 1_700_000_000_000,
    sessionId: 's1',
    client: 'Claude Code',
    clientId: 't1',
    tool,
    arguments: args,
    outcome: 'ok',
    durationMs: 3,
    ...overrides,
  };
}

async function logWith(count: number) {
  const store = new MemoryAuditStore();
  const log = new AuditLog(store);
  for (let i = 1; i <= count; i++) await log.append(record(`tool_${i}`, { i }));
  return { store, log };
}

const entriesOf = (store: MemoryAuditStore) => store.entries as AuditEntry[];

describe('audit log', () => {
  it('chains entries: each carries the hash of the one before', async () => {
    const { store, log } = await logWith(3);
    const entries = entriesOf(store);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(entries[2]!.prevHash).toBe(entries[1]!.hash);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 3, lastSeq: 3, mode: 'full', checked: 3 });
  });

  it('keeps a digest of the arguments, never the arguments', async () => {
    const { store } = await logWith(1);
    expect(store.entries[0]).toMatchObject({ argsDigest: digestArguments({ i: 1 }) });
    expect(store.entries[0]).not.toHaveProperty('arguments');
  });

  it('digests arguments whatever order their keys come in', async () => {
    expect(digestArguments({ a: 1, b: { c: 2, d: 3 } })).toBe(digestArguments({ b: { d: 3, c: 2 }, a: 1 }));
    expect(digestArguments({ a: 1 })).not.toBe(digestArguments({ a: 2 }));
  });

  it('keeps the order of concurrent appends', async () => {
    const log = new AuditLog(new MemoryAuditStore());
    const appended = await Promise.all(Array.from({ length: 20 }, async (_, i) => log.append(record(`t${i}`))));
    expect(appended.map((entry) => entry!.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect((await log.verify()).ok).toBe(true);
  });

  it('finds an altered entry', async () => {
    const { store, log } = await logWith(5);
    entriesOf(store)[2]!.outcome = 'error';
    expect(await log.verify()).toMatchObject({ ok: false, seq: 3, problem: 'entry 3 was altered' });
  });

  it('finds an entry that was replaced with a correctly hashed forgery', async () => {
    const { store, log } = await logWith(5);
    // The forger rebuilds the chain up to entry 2 with a different call; entry 3 still points at the original.
    const forger = new AuditLog(new MemoryAuditStore());
    await forger.append(record('tool_1', { i: 1 }));
    store.entries[1] = await forger.append(record('something_else'));
    expect(await log.verify()).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'entry 3 does not follow entry 2: one of them was altered or replaced',
    });
  });

  it('finds a removed entry in the middle', async () => {
    const { store, log } = await logWith(5);
    store.entries.splice(1, 1);
    expect(await log.verify()).toMatchObject({ ok: false, seq: 2, problem: 'entry 2 was removed' });
  });

  it('finds the newest entries removed', async () => {
    const { store, log } = await logWith(5);
    store.entries.splice(3);
    expect(await log.verify()).toMatchObject({
      ok: false,
      seq: 5,
      problem: expect.stringContaining('newest entries were removed'),
    });
  });

  it('finds an entry with a field added or a malformed value', async () => {
    const { store, log } = await logWith(3);
    store.entries[0] = { ...entriesOf(store)[0]!, note: 'sneaked in' };
    expect(await log.verify()).toMatchObject({ ok: false, seq: 1, problem: 'entry 1 is malformed' });
  });

  it('exports JSON Lines oldest first and tails newest first with filters', async () => {
    const { log } = await logWith(4);
    const lines = (await log.exportJsonl()).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3, 4]);
    expect((await log.tail(2)).map((entry) => entry.tool)).toEqual(['tool_4', 'tool_3']);
    expect((await log.tail(10, { tool: 'tool_2' })).map((entry) => entry.seq)).toEqual([2]);
  });

  it('goes on after the newest entry when the heads are lost, never overwriting', async () => {
    const { store } = await logWith(3);
    store.head = undefined;
    store.lanes.clear();
    const reopened = new AuditLog(store);
    const next = await reopened.append(record('after'));
    expect(next!.seq).toBe(4);
    expect((await reopened.verify()).ok).toBe(true);
  });
});

describe('retention by lane', () => {
  it("prunes only the largest client's lane, keeping a checkpoint that verify reports", async () => {
    const store = new MemoryAuditStore();
    const log = new AuditLog(store, { retention: 20 });
    for (let i = 0; i < 5; i++) await log.append(record(`quiet_${i}`, {}, { client: 'quiet', clientId: 'q' }));
    for (let i = 0; i < 60; i++) await log.append(record(`flood_${i}`, {}, { client: 'flood', clientId: 'f' }));
    const kept = entriesOf(store);
    expect(kept.filter((entry) => entry.clientId === 'q').map((entry) => entry.tool)).toEqual(
      Array.from({ length: 5 }, (_, i) => `quiet_${i}`),
    );
    expect(kept.length).toBeLessThanOrEqual(20);
    const verification = await log.verify();
    expect(verification).toMatchObject({ ok: true, lastSeq: 65 });
    if (!verification.ok) throw new Error('unreachable');
    const flood = verification.lanes.find((lane) => lane.client === 'flood')!;
    expect(flood.pruned).toMatchObject({ count: 60 - flood.entries });
    expect(flood.pruned!.throughSeq).toBeGreaterThan(5);
    expect(verification.lanes.find((lane) => lane.client === 'quiet')).toMatchObject({ entries: 5 });
    expect(verification.lanes.find((lane) => lane.client === 'quiet')!.pruned).toBeUndefined();
  });

  it('never prunes signing entries by volume, and finds one removed', async () => {
    const store = new MemoryAuditStore();
    const log = new AuditLog(store, { retention: 10 });
    const sign = { access: 'sign' as const, scopes: ['wallet:sign'] };
    await log.append(record('web3_transaction', { to: '0x1' }, { ...sign, outcome: 'rejected', detail: 'rejected' }));
    await log.append(record('web3_transaction', { to: '0x2' }, { ...sign, outcome: 'started', callId: 'c2' }));
    await log.append(record('web3_transaction', { to: '0x2' }, { ...sign, outcome: 'ok', callId: 'c2' }));
    for (let i = 0; i < 100; i++) await log.append(record('system_diagnostics'));
    const signing = entriesOf(store).filter((entry) => entry.lane === 'sign');
    expect(signing.map((entry) => entry.outcome)).toEqual(['rejected', 'started', 'ok']);
    expect((await log.verify()).ok).toBe(true);

    store.entries.splice(store.entries.indexOf(signing[0]!), 1);
    expect(await log.verify({ full: true })).toMatchObject({ ok: false });
  });

  it('reads a log written before lanes, goes on from it and prunes it by its own chain', async () => {
    // Entries as the single-chain log wrote them: no lane fields, each after the one before.
    const store = new MemoryAuditStore();
    let hash = GENESIS_HASH;
    for (let seq = 1; seq <= 6; seq++) {
      const { arguments: args, ...call } = record(`old_${seq}`, { seq });
      const unsigned = { ...call, argsDigest: digestArguments(args), seq, prevHash: hash };
      hash = hashEntry(unsigned);
      store.entries.push({ ...unsigned, hash });
    }
    store.head = { anchor: { seq: 0, hash: GENESIS_HASH }, seq: 6, hash };
    const log = new AuditLog(store, { retention: 8 });
    expect(await log.verify()).toMatchObject({ ok: true, entries: 6, lastSeq: 6 });
    for (let i = 0; i < 5; i++) await log.append(record(`new_${i}`, {}, { clientId: 'n' }));
    expect(entriesOf(store).at(-1)).toMatchObject({ seq: 11, lane: 'client:n', laneSeq: 5 });
    const verification = await log.verify({ full: true });
    expect(verification).toMatchObject({ ok: true, lastSeq: 11 });
    if (!verification.ok) throw new Error('unreachable');
    expect(verification.lanes.find((lane) => lane.lane === 'legacy')!.pruned!.count).toBeGreaterThan(0);
  });
});

describe('incremental verification', () => {
  it('checks only what was appended since the last verification', async () => {
    const { log } = await logWith(50);
    expect(await log.verify()).toMatchObject({ ok: true, mode: 'full', checked: 50 });
    await log.append(record('later'));
    expect(await log.verify()).toMatchObject({ ok: true, mode: 'incremental', checked: 1, entries: 51 });
    expect(await log.verify()).toMatchObject({ ok: true, mode: 'incremental', checked: 0 });
  });

  it('finds an entry removed before the checkpoint by counting the store', async () => {
    const { store, log } = await logWith(10);
    await log.verify();
    store.entries.splice(3, 1);
    expect(await log.verify()).toMatchObject({
      ok: false,
      mode: 'incremental',
      problem: expect.stringContaining('1 entry was removed'),
    });
    // A failure drops the checkpoint: the next check is a full one and says which entry.
    expect(await log.verify()).toMatchObject({ ok: false, mode: 'full', problem: 'entry 4 was removed' });
  });

  it('finds the checkpoint entry altered; a full check finds any altered entry', async () => {
    const { store, log } = await logWith(10);
    await log.verify();
    entriesOf(store)[9]!.outcome = 'error';
    expect(await log.verify()).toMatchObject({ ok: false, problem: 'entry 10 was altered after it was verified' });
    entriesOf(store)[9]!.outcome = 'ok';
    await log.verify();
    entriesOf(store)[2]!.outcome = 'error';
    expect(await log.verify({ full: true })).toMatchObject({ ok: false, problem: 'entry 3 was altered' });
  });

  it('hashes in batches through its checker, and concurrent calls share one run', async () => {
    const batches: number[] = [];
    const checker: AuditChecker = {
      ...inProcessChecker,
      check: async (...args) => {
        batches.push(args[2].length);
        return inProcessChecker.check(...args);
      },
    };
    const log = new AuditLog(new MemoryAuditStore(), { checker });
    for (let i = 0; i < 600; i++) await log.append(record('t', { i }));
    const runs = await Promise.all(Array.from({ length: 10 }, () => log.verify()));
    expect(new Set(runs).size).toBe(1);
    expect(batches).toEqual([250, 250, 100]);
  });
});

describe('denied calls', () => {
  it('logs the first few of a window one by one and summarises the rest in one entry', async () => {
    let now = 0;
    const store = new MemoryAuditStore();
    const log = new AuditLog(store, { deniedWindowMs: 1000, deniedLoggedPerWindow: 2, now: () => now });
    const denied = (at: number) =>
      record('quantum_simulate', { at }, { at, outcome: 'denied', detail: "Token 'x' lacks the scope quantum" });
    for (let i = 0; i < 500; i++) void log.append(denied(i));
    await log.flushed();
    const entries = entriesOf(store);
    expect(entries.map((entry) => entry.repeat?.count)).toEqual([undefined, undefined, 498]);
    expect(entries[2]).toMatchObject({ repeat: { firstAt: 2, lastAt: 499 }, outcome: 'denied' });
    expect(entries[2]!.detail).toMatch(/^498 more denied calls of quantum_simulate by 'Claude Code' between/);
    expect(entries[2]!.argsDigest).toBeUndefined();
    // A new window logs its first calls again.
    now = 1000;
    await log.append(denied(1000));
    expect(entriesOf(store)).toHaveLength(4);
    expect((await log.verify()).ok).toBe(true);
  });
});

describe('awkward arguments', () => {
  it('logs arguments nested thousands deep with the deep part replaced by a marker', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5000; i++) deep = { a: [deep] };
    const { store } = await logWith(0);
    const log = new AuditLog(store);
    const entry = await log.append(record('deep', deep));
    expect(entry).toMatchObject({ argsCut: true });
    let shallow: unknown = TOO_DEEP_MARKER;
    for (let i = 0; i < 64; i++) shallow = { a: [shallow] };
    expect(entry!.argsDigest).toBe(digestArguments(shallow));
  });

  it('caps a long detail', async () => {
    const log = new AuditLog(new MemoryAuditStore());
    const entry = await log.append(record('t', {}, { outcome: 'error', detail: 'x'.repeat(100_000) }));
    expect(entry!.detail!.length).toBeLessThan(4100);
    expect(entry!.detail).toMatch(/100000 characters in all/);
  });
});
