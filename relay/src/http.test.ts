import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readJsonBody } from './http.ts';

const LIMIT = 64;
const servers: Array<ReturnType<typeof createServer>> = [];

/** A server that hands each request to `readJsonBody` and reports what it settled with. */
async function bodyServer(): Promise<{ port: number; next: () => Promise<PromiseSettledResult<unknown>> }> {
  const settled: Array<Promise<PromiseSettledResult<unknown>>> = [];
  const server = createServer((req: IncomingMessage, res) => {
    const outcome = Promise.allSettled([readJsonBody(req, LIMIT)]).then(([result]) => result!);
    settled.push(outcome);
    void outcome.then(() => res.end('{}'));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    next: async () => {
      while (settled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      return settled.shift()!;
    },
  };
}

/** POSTs `body`; without `declaredLength` it goes chunked, in two pieces. `cut` leaves after the body's first write. */
function send(port: number, declaredLength: number | undefined, body: string, cut = false): Promise<void> {
  return new Promise((resolve) => {
    const headers = declaredLength === undefined ? {} : { 'content-length': declaredLength };
    const req = request({ port, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', () => resolve());
    if (cut) {
      req.write(body, () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 20),
      );
    } else if (declaredLength === undefined) {
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      req.end(body.slice(half));
    } else req.end(body);
  });
}

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('readJsonBody', () => {
  it('parses a whole body', async () => {
    const { port, next } = await bodyServer();
    const body = JSON.stringify({ hello: 'world' });
    await send(port, Buffer.byteLength(body), body);
    expect(await next()).toEqual({ status: 'fulfilled', value: { ok: true, body: { hello: 'world' }, text: body } });
  });

  it('rejects, instead of waiting, when the client leaves before the whole body arrived', async () => {
    const { port, next } = await bodyServer();
    await send(port, 40, '{"partial":', true);
    const outcome = await next();
    expect(outcome.status).toBe('rejected');
    // Node reports the cut as the request's 'aborted' error; 'close' without one is the fallback.
    expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(Error);
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const { port, next } = await bodyServer();
    const big = JSON.stringify({ text: 'x'.repeat(LIMIT) });
    await send(port, Buffer.byteLength(big), big);
    expect(await next()).toMatchObject({ status: 'fulfilled', value: { ok: false, status: 413 } });
    await send(port, undefined, big);
    expect(await next()).toMatchObject({ status: 'fulfilled', value: { ok: false, status: 413 } });
  });

  it('says why a body that is not JSON was refused', async () => {
    const { port, next } = await bodyServer();
    await send(port, 5, '{oops');
    expect(await next()).toMatchObject({
      status: 'fulfilled',
      value: { ok: false, status: 400, message: expect.stringContaining('not valid JSON') },
    });
  });
});
