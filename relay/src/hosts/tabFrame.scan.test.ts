/**
 * The scan costs more per byte than JSON.parse for plain text (about three times for a 64 KiB
 * `http-chunk`), and a frame whose params cannot stay JSON is parsed whole after it anyway: such
 * frames, which include every streamed answer and large result, must not pay for a scan.
 */
import { describe, expect, it, vi } from 'vitest';
import * as spans from './jsonSpans.ts';
import { readTabFrame, SCAN_FROM_BYTES } from './tabFrame.ts';

vi.mock('./jsonSpans.ts', async (original) => {
  const actual = await original<typeof spans>();
  return { ...actual, scanObject: vi.fn(actual.scanObject) };
});

const big = 'x'.repeat(SCAN_FROM_BYTES * 4);

describe('readTabFrame scans', () => {
  it('no large frame that has no params to leave unread', () => {
    const frames = [
      { type: 'http-chunk', id: '1', data: big },
      { type: 'http-response', id: '1', status: 200, headers: {}, body: `{"params":"${big}"}` },
      { type: 'mcp', sessionId: 's1', message: { jsonrpc: '2.0', id: 1, result: { text: big } } },
    ];
    for (const frame of frames) {
      vi.mocked(spans.scanObject).mockClear();
      const read = readTabFrame(Buffer.from(JSON.stringify(frame)));
      expect(read).toEqual({ ok: true, frame });
      expect(spans.scanObject).not.toHaveBeenCalled();
    }
  });

  it('a large notification, whose params it leaves unread', () => {
    vi.mocked(spans.scanObject).mockClear();
    const frame = { type: 'mcp', sessionId: 's1', message: { jsonrpc: '2.0', method: 'x', params: { text: big } } };
    const read = readTabFrame(Buffer.from(JSON.stringify(frame)));
    expect(
      read.ok && read.frame.type === 'mcp' && Object.getOwnPropertyDescriptor(read.frame.message, 'params')?.get,
    ).toBeTypeOf('function');
    expect(spans.scanObject).toHaveBeenCalledOnce();
  });
});
