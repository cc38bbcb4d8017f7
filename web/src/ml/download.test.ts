/**
 * The Worker's downloads against real HTTP servers on loopback: one the URL names (already let
 * through by the fetch guard) and one it must never reach (a secret on another origin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingServer, type CountingServer } from '../../../tests/support/countingServer.ts';
import { download } from './download.ts';
import { downloadTfjs } from './tfjsEngine.ts';

const SECRET = 'DB_PASSWORD=hunter2';

let secret: CountingServer;
let allowed: CountingServer;

beforeAll(async () => {
  secret = await startCountingServer((_, response) => response.end(SECRET));
  allowed = await startCountingServer((request, response) => {
    switch (request.url) {
      case '/redirect':
        response.writeHead(302, { location: `${secret.origin}/secret` }).end();
        return;
      case '/same-origin-redirect':
        response.writeHead(301, { location: '/model.onnx' }).end();
        return;
      case '/status':
        response.writeHead(500, SECRET).end(SECRET);
        return;
      case '/escaping/model.json':
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            modelTopology: {},
            weightsManifest: [{ paths: [`${secret.origin}/weights.bin`], weights: [] }],
          }),
        );
        return;
      case '/protocol-relative/model.json':
        response.end(
          JSON.stringify({
            modelTopology: {},
            weightsManifest: [{ paths: [`//${new URL(secret.origin).host}/weights.bin`], weights: [] }],
          }),
        );
        return;
      case '/not-json/model.json':
        response.end(SECRET);
        return;
      case '/beside/model.json':
        response.end(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [] }] }));
        return;
      case '/beside/w.bin':
        response.end(Buffer.from([1, 2, 3, 4]));
        return;
      default:
        response.end('model bytes');
    }
  });
});

afterAll(() => {
  secret.server.close();
  allowed.server.close();
});

async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

describe('download', () => {
  it('fetches the file it was given', async () => {
    const { bytes } = await download(new URL(`${allowed.origin}/model.onnx`), 1024);
    expect(new TextDecoder().decode(bytes)).toBe('model bytes');
  });

  it('refuses a redirect without following it, to another origin or its own', async () => {
    const before = secret.hits.length;
    const message = await failure(download(new URL(`${allowed.origin}/redirect`), 1024));
    expect(message).toContain(`${allowed.origin}/redirect answered with a redirect, which Vial does not follow`);
    expect(message).not.toContain(secret.origin);
    expect(secret.hits.length).toBe(before);
    expect(await failure(download(new URL(`${allowed.origin}/same-origin-redirect`), 1024))).toContain(
      "Give the file's final URL",
    );
  });

  it("names the status number and never quotes the server's words", async () => {
    const message = await failure(download(new URL(`${allowed.origin}/status`), 1024));
    expect(message).toBe(`${allowed.origin}/status answered HTTP 500; check the URL.`);
  });
});

describe('downloadTfjs', () => {
  it('loads weights beside model.json', async () => {
    const { size } = await downloadTfjs(new URL(`${allowed.origin}/beside/model.json`), 1024);
    expect(size).toBeGreaterThan(4);
  });

  it.each(['escaping', 'protocol-relative'])(
    'refuses %s weight paths on another origin without fetching them',
    async (folder) => {
      const before = secret.hits.length;
      const message = await failure(downloadTfjs(new URL(`${allowed.origin}/${folder}/model.json`), 1024));
      expect(message).toContain('weight files must be on the same origin as model.json');
      expect(secret.hits.length).toBe(before);
    },
  );

  it("does not quote a model.json that is not JSON (the parser's message would)", async () => {
    const message = await failure(downloadTfjs(new URL(`${allowed.origin}/not-json/model.json`), 1024));
    expect(message).toContain('is not a tfjs model.json: its text is not JSON');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('DB_PASSWORD');
  });
});
