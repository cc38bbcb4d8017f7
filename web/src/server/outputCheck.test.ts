import type { CallToolResult } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonResult } from './toolRegistry.ts';
import { boundOutputCheck, DEEP_CHECK_CHARS, noteResultSize } from './outputCheck.ts';

/** A schema like quantum_simulate's: a few fields and a record that can hold many outcomes. */
function countsSchema() {
  const schema = z.strictObject({ shots: z.number().int(), counts: z.record(z.string(), z.number().int()) });
  boundOutputCheck(schema);
  return schema;
}
const counts = (entries: number, bad?: unknown) =>
  Object.fromEntries(
    Array.from({ length: entries }, (_, i) => [i.toString(2), i === 0 && bad !== undefined ? bad : i]),
  );
/** What the SDK does with a tool's result: the tab notes its size, then the schema checks it. */
function check(schema: z.ZodObject, value: Record<string, unknown>) {
  const result: CallToolResult = jsonResult(value);
  noteResultSize(result);
  return schema['~standard'].validate(result.structuredContent);
}

describe('the tab checks structuredContent against its output schema', () => {
  it('checks a result whose text is up to DEEP_CHECK_CHARS long whole, nested values included', async () => {
    const schema = countsSchema();
    expect(JSON.stringify(counts(100), null, 2).length).toBeLessThan(DEEP_CHECK_CHARS);
    expect(await check(schema, { shots: 8, counts: counts(100) })).toEqual({
      value: { shots: 8, counts: counts(100) },
    });
    const bad = await check(schema, { shots: 8, counts: counts(100, 'secret') });
    expect(bad.issues?.[0]?.path).toEqual(['counts', '0']);
    expect(JSON.stringify(bad)).not.toContain('secret');
  });

  it('checks a larger result at its top level: no key the schema does not name', async () => {
    const schema = countsSchema();
    const many = counts(10_000);
    expect(JSON.stringify(many, null, 2).length).toBeGreaterThan(DEEP_CHECK_CHARS);
    expect(await check(schema, { shots: 8, counts: many })).toEqual({ value: { shots: 8, counts: many } });
    const leaking = await check(schema, { shots: 8, counts: many, walletSeed: 'abandon abandon' });
    expect(leaking.issues?.[0]?.message).toBe('keys the output schema does not name: walletSeed');
    expect(JSON.stringify(leaking)).not.toContain('abandon');
    // A wrong nested value in a large result is left to the compile-time types, the tests and the client's check.
    expect((await check(schema, { shots: 8, counts: counts(10_000, 'x') })).issues).toBeUndefined();
  });

  it('checks whole what the tab did not note as large (another caller of the schema)', async () => {
    const schema = countsSchema();
    const bad = await schema['~standard'].validate({ shots: 8, counts: counts(10_000, 'x') });
    expect(bad.issues?.[0]?.path).toEqual(['counts', '0']);
  });
});
