import { describe, expect, it } from 'vitest';
import { usageToCharge } from './spendEstimate.ts';

const ceiling = { inputTokens: 1000, outputTokens: 4000 };
const attempt = { final: false, streamed: true, reportsUsage: true, ceiling, inputBytes: 400, outputBytes: 800 };

describe('usageToCharge', () => {
  it("charges the provider's final usage as it is", () => {
    const reported = { inputTokens: 12, outputTokens: 4 };
    expect(usageToCharge({ ...attempt, reported, final: true })).toEqual({ usage: reported, estimated: false });
  });

  it('charges nothing for an attempt refused before its stream began', () => {
    expect(usageToCharge({ ...attempt, reported: undefined, streamed: false })).toEqual({
      usage: { inputTokens: 0, outputTokens: 0 },
      estimated: false,
    });
  });

  it('charges the ceiling, as an estimate, for a stream cut before a usage-reporting provider said what it billed', () => {
    expect(usageToCharge({ ...attempt, reported: { inputTokens: 12, outputTokens: 1 } })).toEqual({
      usage: ceiling,
      estimated: true,
    });
  });

  it('estimates from the text for a server that reports no usage, never below what it did report', () => {
    expect(usageToCharge({ ...attempt, reportsUsage: false, reported: undefined, final: true })).toEqual({
      usage: { inputTokens: 100, outputTokens: 200 },
      estimated: true,
    });
    expect(
      usageToCharge({ ...attempt, reportsUsage: false, reported: { inputTokens: 150, outputTokens: 50 } }).usage,
    ).toEqual({ inputTokens: 150, outputTokens: 200 });
  });
});
