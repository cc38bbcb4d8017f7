/**
 * Bounded queues: a client that stops reading its stream, a client with too many calls in
 * flight and a tab that stops reading each hit a limit with a clear failure, while everyone
 * else carries on.
 */
import { connect, type Socket } from 'node:net';
import { ProtocolError } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import { defineContentTool, ToolRegistry, type ToolPack } from '../../web/src/server/toolRegistry.ts';
import type { SocketLike } from '../../web/src/server/relayConnection.ts';
import { HostRuntime } from '../../web/src/server/runtime.ts';
import { metricSum } from '../support/metrics.ts';
import { connectClient, startRelay, startStack } from '../support/relay.ts';
import { createTestPack, rawInitialize, type SlowToolProbe } from '../support/testPack.ts';
import { until } from '../support/until.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `flood` streams `chunks` progress notifications of `chunkBytes` each, yielding between them. */
function floodPack(aborted: string[]): ToolPack {
  const flood = defineContentTool({
    name: 'flood',
    description: 'Sends large progress notifications, as a tool streaming big partial output would.',
    scopes: [],
    access: 'read',
    annotations: { readOnlyHint: true },
    input: { chunks: z.number().int().min(1), chunkBytes: z.number().int().min(1), label: z.string() },
    run: async ({ chunks, chunkBytes, label }, { signal, progress }) => {
      for (let chunk = 1; chunk <= chunks; chunk++) {
        // Let the relay (same process) run between chunks, as it would between a real tab's frames.
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) {
          aborted.push(label);
          throw new Error('aborted');
        }
        await progress(chunk, chunks, 'x'.repeat(chunkBytes));
      }
      return { content: [{ type: 'text', text: label }] };
    },
  });
  return { name: 'flood', tools: [flood] };
}

/**
 * Sends one tools/call over a raw TCP connection and never reads a byte of the answer, as a
 * stuck client would; the socket is paused before anything arrives.
 */
function postWithoutReading(mcpUrl: string, token: string, sessionId: string, call: object): Socket {
  const url = new URL(mcpUrl);
  const body = JSON.stringify(call);
  const socket = connect(Number(url.port), '127.0.0.1');
  socket.pause();
  socket.on('error', () => undefined); // the relay resets it; that is the point
  socket.write(
    [
      `POST ${url.pathname} HTTP/1.1`,
      `host: ${url.host}`,
      `authorization: Bearer ${token}`,
      'content-type: application/json',
      'accept: application/json, text/event-stream',
      `mcp-session-id: ${sessionId}`,
      'mcp-protocol-version: 2025-11-25',
      `content-length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
  return socket;
}

describe('a client that stops reading', () => {
  it('has its stream dropped near VIAL_CLIENT_BUFFER_BYTES and its call cancelled, while another client stays fast', async () => {
    const limitBytes = 1 * MiB;
    const chunkBytes = 128 * KiB;
    const aborted: string[] = [];
    const stack = await startStack({
      packs: [floodPack(aborted), createTestPack({ started: 0, aborted: [] })],
      env: { VIAL_CLIENT_BUFFER_BYTES: String(limitBytes) },
    });
    cleanups.push(() => stack.close());
    const other = await connectClient(stack.mcpUrl, stack.token, 'reader');
    cleanups.push(() => other.close());

    const sessionId = await rawInitialize(stack.mcpUrl, stack.token);
    // 32 MiB in all: far past what the kernel's socket buffers absorb (a few MiB on loopback).
    const stuck = postWithoutReading(stack.mcpUrl, stack.token, sessionId, {
      jsonrpc: '2.0',
      id: 'stuck-1',
      method: 'tools/call',
      params: { name: 'flood', arguments: { chunks: 256, chunkBytes, label: 'stuck' }, _meta: { progressToken: 1 } },
    });

    let peakBytes = 0;
    let dropped = false;
    const sampling = (async () => {
      while (!dropped) {
        peakBytes = Math.max(
          peakBytes,
          await metricSum(stack.relay, 'vial_buffered_bytes', { queue: 'client_streams' }),
        );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const latencies: number[] = [];
    const calling = (async () => {
      for (let i = 0; !dropped || i < 20; i++) {
        const started = performance.now();
        const result = await other.callTool({ name: 'test_echo', arguments: { text: `call ${i}` } });
        latencies.push(performance.now() - started);
        expect(result.content).toEqual([{ type: 'text', text: `call ${i}` }]);
      }
    })();

    // The tool stops because the relay cancelled its call at the tab when it dropped the stream.
    await until(() => aborted.includes('stuck'));
    dropped = true;
    await Promise.all([sampling, calling]);
    expect(await metricSum(stack.relay, 'vial_client_streams_dropped_total', { reason: 'send_buffer_full' })).toBe(1);
    // The bound is the limit plus one message (a chunk and its SSE framing); without it, this grows to ~28 MiB.
    expect(peakBytes).toBeGreaterThan(0);
    expect(peakBytes).toBeLessThanOrEqual(limitBytes + chunkBytes + 4 * KiB);
    expect(await metricSum(stack.relay, 'vial_buffered_bytes', { queue: 'client_streams' })).toBeLessThan(64 * KiB);
    expect(await metricSum(stack.relay, 'vial_pending_requests', {})).toBe(0);
    expect(Math.max(...latencies)).toBeLessThan(1000);

    // Once it reads again, the stuck client finds its connection ended by the relay.
    const closed = new Promise<void>((resolve) => stuck.once('close', () => resolve()));
    stuck.resume();
    await closed;
  });
});

describe('a session with too many calls in flight', () => {
  it('gets an error naming VIAL_SESSION_MAX_PENDING for the call past it, and later calls work', async () => {
    const probe: SlowToolProbe = { started: 0, aborted: [] };
    const stack = await startStack({ packs: [createTestPack(probe)], env: { VIAL_SESSION_MAX_PENDING: '2' } });
    cleanups.push(() => stack.close());
    const client = await connectClient(stack.mcpUrl, stack.token);
    cleanups.push(() => client.close());

    const stop = new AbortController();
    const slow = [1, 2].map((n) =>
      client
        .callTool(
          { name: 'test_slow', arguments: { steps: 1000, stepMs: 50, label: `slow ${n}` } },
          {
            signal: stop.signal,
          },
        )
        .catch(() => 'stopped'),
    );
    await until(() => probe.started === 2);
    const refused = await client.callTool({ name: 'test_echo', arguments: { text: 'third' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect((refused as ProtocolError).code).toBe(-32000);
    expect((refused as ProtocolError).data).toEqual({
      limit: 'session-pending',
      setting: 'VIAL_SESSION_MAX_PENDING',
      max: 2,
      name: 'RelayError',
      shortMessage: 'Too many requests in flight',
      details: 'this session already has 2 waiting on the Vial tab (VIAL_SESSION_MAX_PENDING)',
      hints: ['Wait for some to finish before sending more, or raise the limit on the relay.'],
    });
    expect((refused as ProtocolError).message).toMatch(/already has 2 waiting .*VIAL_SESSION_MAX_PENDING/);

    stop.abort();
    await Promise.all(slow);
    await until(() => probe.aborted.length === 2);
    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'later' } });
    expect(result.content).toEqual([{ type: 'text', text: 'later' }]);
  });
});

describe('a tab that stops reading', () => {
  it('is dropped once its send buffer passes VIAL_TAB_BUFFER_BYTES, its calls fail saying so, and it comes back', async () => {
    const relay = await startRelay({ VIAL_TAB_BUFFER_BYTES: String(1 * MiB) });
    cleanups.push(() => relay.close());
    const sockets: WebSocket[] = [];
    const host = new HostRuntime({
      relayUrl: relay.url,
      registry: new ToolRegistry([createTestPack({ started: 0, aborted: [] })]),
      store: new MemoryHostStore(),
      createSocket: (url) => {
        const socket = new WebSocket(url);
        sockets.push(socket);
        return socket as unknown as SocketLike;
      },
      backoff: { initialMs: 50, maxMs: 500 },
    });
    cleanups.push(() => host.stop());
    await host.start();
    await host.whenOnline();
    const { token } = await host.mintToken({ name: 'test', scopes: [] });
    const client = await connectClient(host.mcpUrl!, token);
    cleanups.push(() => client.close());

    sockets[0]!.pause();
    // 16 MiB of arguments toward a tab that reads nothing: past the kernel's buffers and the limit.
    const text = 'y'.repeat(256 * KiB);
    const calls = Array.from({ length: 64 }, () =>
      client.callTool({ name: 'test_echo', arguments: { text } }).catch((e: unknown) => e),
    );
    const outcomes = (await Promise.all(calls)).map(String);
    // Calls in flight when the tab was dropped say why; calls after it find the tab offline.
    const inFlight = outcomes.filter((outcome) =>
      /went away \(dropped by the relay: .*VIAL_TAB_BUFFER_BYTES/.test(outcome),
    );
    expect(inFlight.length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => /is offline/.test(outcome))).toHaveLength(outcomes.length - inFlight.length);
    expect(await metricSum(relay, 'vial_tabs_dropped_total', { reason: 'send_buffer_full' })).toBe(1);

    sockets[0]!.resume();
    await until(() => sockets.length > 1 && host.status.state === 'online');
    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'back' } });
    expect(result.content).toEqual([{ type: 'text', text: 'back' }]);
  });
});
