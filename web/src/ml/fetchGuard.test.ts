import type { ClientIdentity } from '@vial/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApprovalQueue, ApprovalRejected } from '../server/approvals.ts';
import { ToolError } from '../server/toolError.ts';
import { FetchOriginStore } from '../storage/fetchOriginStore.ts';
import { HUGGING_FACE_HUB, RemoteFetchGuard } from './fetchGuard.ts';

const client: ClientIdentity = { tokenId: 't1', tokenName: 'Hostile client', scopes: ['ml'] };

function setUp() {
  const approvals = new ApprovalQueue({ timeoutMs: 5_000 });
  const origins = FetchOriginStore.inMemory();
  const guard = new RemoteFetchGuard({ tabOrigin: 'http://localhost:8787', origins, approvals });
  const call = (signal = new AbortController().signal) => ({ client, tool: 'model_load', what: 'a model', signal });
  return { approvals, origins, guard, call };
}

/** Waits until the queue holds a request, and returns it. */
async function nextRequest(approvals: ApprovalQueue) {
  for (let tries = 0; tries < 100 && approvals.pending().length === 0; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const [request] = approvals.pending();
  if (!request) throw new Error('no approval was requested');
  return request;
}

describe('RemoteFetchGuard', () => {
  it("allows the tab's own origin, relative URLs included, without asking", async () => {
    const { guard, approvals, call } = setUp();
    expect((await guard.admitUrl('/models/mlp/model.onnx', call())).href).toBe(
      'http://localhost:8787/models/mlp/model.onnx',
    );
    expect((await guard.admitUrl('http://localhost:8787/x.csv', call())).href).toBe('http://localhost:8787/x.csv');
    expect(approvals.pending()).toEqual([]);
  });

  it.each([
    ['http://127.0.0.1:6379/', 'a loopback address'],
    ['http://localhost:5173/.env', 'a loopback address'],
    ['http://api.localhost/', 'a loopback address'],
    ['http://2130706433:8080/', 'a loopback address'],
    ['http://[::ffff:127.0.0.1]/', 'a loopback address'],
    ['http://0.0.0.0:8787/', 'an unspecified address'],
    ['http://192.168.1.1/cgi-bin/reboot', 'a private-network address'],
    ['http://[fd00::1]/', 'a private-network address'],
    ['http://100.64.0.1/', 'a private-network address'],
    ['http://169.254.169.254/latest/meta-data/', 'a link-local address'],
    ['http://router/', 'a name only the local network resolves'],
    ['//10.0.0.1/data.csv', 'a private-network address'],
    ['\\\\10.0.0.1\\data.csv', 'a private-network address'],
  ])('refuses %s (%s) without asking the person', async (target, words) => {
    const { guard, approvals, call } = setUp();
    const refusal = guard.admitUrl(target, call());
    await expect(refusal).rejects.toBeInstanceOf(ToolError);
    await expect(refusal).rejects.toThrow(words);
    await expect(refusal).rejects.toThrow('Settings → "Origins clients may fetch from"');
    expect(approvals.pending()).toEqual([]);
  });

  it('lets an address the person allowed in Settings through, and only that origin', async () => {
    const { guard, origins, call } = setUp();
    origins.add('http://127.0.0.1:8000');
    expect((await guard.admitUrl('http://127.0.0.1:8000/model.onnx', call())).origin).toBe('http://127.0.0.1:8000');
    await expect(guard.admitUrl('http://127.0.0.1:8001/model.onnx', call())).rejects.toThrow('a loopback address');
    await expect(guard.admitUrl('https://127.0.0.1:8000/model.onnx', call())).rejects.toThrow('a loopback address');
  });

  it.each([
    ['file:///etc/passwd', "'file:' is refused"],
    ['data:text/plain,hello', "'data:' is refused"],
    ['javascript:alert(1)', "'javascript:' is refused"],
    ['blob:http://localhost:8787/0b2c', "'blob:' is refused"],
    ['ftp://example.com/x', "'ftp:' is refused"],
    ['https://user:secret@models.example.com/x.onnx', 'refuses URLs with a user name or password'],
  ])('refuses %s', async (target, message) => {
    const { guard, approvals, call } = setUp();
    await expect(guard.admitUrl(target, call())).rejects.toThrow(message);
    expect(approvals.pending()).toEqual([]);
  });

  it('asks the person once for a new public origin, naming the client, the tool and the origin', async () => {
    const { guard, approvals, origins, call } = setUp();
    const first = guard.admitUrl('https://models.example.com/a/model.onnx', call());
    const request = await nextRequest(approvals);
    expect(request.client).toBe('Hostile client');
    expect(request.tool).toBe('model_load');
    expect(request.preview.summary).toBe(
      'Hostile client wants this tab to fetch a model from https://models.example.com',
    );
    expect(request.preview.fields).toEqual(
      expect.arrayContaining([
        { label: 'Client', value: 'Hostile client' },
        { label: 'Tool', value: 'model_load' },
        { label: 'Origin', value: 'https://models.example.com' },
        { label: 'URL', value: 'https://models.example.com/a/model.onnx' },
      ]),
    );
    approvals.approve(request.id);
    expect((await first).href).toBe('https://models.example.com/a/model.onnx');
    expect(origins.list()).toEqual([
      expect.objectContaining({ origin: 'https://models.example.com', client: 'Hostile client' }),
    ]);
    // Remembered: another path on the origin, from any client, asks nobody.
    await guard.admitUrl('https://models.example.com/b.csv', call());
    expect(approvals.pending()).toEqual([]);
  });

  it('refuses when the person rejects, and asks again next time', async () => {
    const { guard, approvals, origins, call } = setUp();
    const first = guard.admitOrigin(HUGGING_FACE_HUB, call());
    approvals.reject((await nextRequest(approvals)).id);
    await expect(first).rejects.toBeInstanceOf(ApprovalRejected);
    expect(origins.list()).toEqual([]);
    const second = guard.admitOrigin(HUGGING_FACE_HUB, call());
    const request = await nextRequest(approvals);
    expect(request.preview.fields).toContainEqual({ label: 'Origin', value: 'https://huggingface.co' });
    approvals.approve(request.id);
    await second;
    expect(origins.has('https://huggingface.co')).toBe(true);
  });

  it('stops waiting when the client cancels', async () => {
    const { guard, approvals, call } = setUp();
    const abort = new AbortController();
    const waiting = guard.admitUrl('https://models.example.com/x.onnx', call(abort.signal));
    await nextRequest(approvals);
    abort.abort();
    await expect(waiting).rejects.toThrow('cancelled by the client');
    expect(approvals.pending()).toEqual([]);
  });

  it('never asks about, and always refuses, a private IPv4 address however it is written', async () => {
    const { guard, approvals, call } = setUp();
    const privateAddress = fc.oneof(
      fc.integer({ min: 0x0a000000, max: 0x0affffff }),
      fc.integer({ min: 0x7f000000, max: 0x7fffffff }),
      fc.integer({ min: 0xc0a80000, max: 0xc0a8ffff }),
      fc.integer({ min: 0xa9fe0000, max: 0xa9feffff }),
    );
    const spelling = fc.constantFrom(
      (value: number) => String(value),
      (value: number) => `0x${value.toString(16)}`,
      (value: number) => `0${value.toString(8)}`,
      (value: number) => `[::ffff:${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}]`,
    );
    await fc.assert(
      fc.asyncProperty(privateAddress, spelling, fc.nat({ max: 65535 }), async (address, write, port) => {
        await expect(guard.admitUrl(`http://${write(address)}:${port}/x`, call())).rejects.toBeInstanceOf(ToolError);
      }),
      { numRuns: 200 },
    );
    expect(approvals.pending()).toEqual([]);
  });
});
