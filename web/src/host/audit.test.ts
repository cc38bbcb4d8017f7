import { describe, expect, it } from 'vitest';
import { AuditLog, MemoryAuditStore, digestArguments, type AuditCall, type AuditEntry } from './audit.ts';

function record(tool: string, args: unknown = {}): AuditCall {
  return {
    at: 1_700_000_000_000,
    sessionId: 's1',
    client: 'Claude Code',
    clientId: 't1',
    tool,
    arguments: args,
    outcome: 'ok',
    durationMs: 3,
  };
}

async function logWith(count: number) {
  const store = new MemoryAuditStore();
  const log = new AuditLog(store);
  for (let i = 1; i <= count; i++) await log.append(record(`tool_${i}`, { i }));
  return { store, log };
}

describe('audit log', () => {
  it('chains entries: each carries the hash of the one before', async () => {
    const { store, log } = await logWith(3);
    const entries = store.entries as AuditEntry[];
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(entries[2]!.prevHash).toBe(entries[1]!.hash);
    expect(await log.verify()).toEqual({ ok: true, entries: 3, firstSeq: 1, lastSeq: 3 });
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
    expect(appended.map((entry) => entry.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect((await log.verify()).ok).toBe(true);
  });

  it('finds an altered entry', async () => {
    const { store, log } = await logWith(5);
    (store.entries[2] as AuditEntry).outcome = 'error';
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
      seq: 4,
      problem: expect.stringContaining('newest entries were removed'),
    });
  });

  it('finds an entry with a field added or a malformed value', async () => {
    const { store, log } = await logWith(3);
    store.entries[0] = { ...(store.entries[0] as AuditEntry), note: 'sneaked in' };
    expect(await log.verify()).toMatchObject({ ok: false, seq: 1, problem: 'entry 1 is malformed' });
  });

  it('exports JSON Lines oldest first and tails newest first with filters', async () => {
    const { log } = await logWith(4);
    const lines = (await log.exportJsonl()).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3, 4]);
    expect((await log.tail(2)).map((entry) => entry.tool)).toEqual(['tool_4', 'tool_3']);
    expect((await log.tail(10, { tool: 'tool_2' })).map((entry) => entry.seq)).toEqual([2]);
  });

  it('prunes to its retention and still verifies from the new anchor', async () => {
    const store = new MemoryAuditStore();
    const log = new AuditLog(store, 20);
    for (let i = 0; i < 45; i++) await log.append(record(`t${i}`));
    expect(store.entries.length).toBeLessThanOrEqual(20);
    expect(await log.verify()).toMatchObject({ ok: true, lastSeq: 45 });
  });

  it('goes on after the newest entry when the head is lost, never overwriting', async () => {
    const { store } = await logWith(3);
    store.head = undefined;
    const reopened = new AuditLog(store);
    const next = await reopened.append(record('after'));
    expect(next.seq).toBe(4);
    expect((await reopened.verify()).ok).toBe(true);
  });
});
