/**
 * What a remote client can make the tab fetch, and two input limits, played by a hostile client
 * through a real relay and a Node host. The URL checks and the approval run in the ML tools,
 * before the ML Worker; the Worker's own download code (redirects, tfjs weight paths, CSV errors)
 * runs here too, in a stand-in engine, against real HTTP servers on loopback:
 *
 * - `secret`: a service on this machine the client must never reach (its hits are counted);
 * - `dev`: a server the person allowed in Settings, which the client turns against the tab
 *   (a CSV whose header is a password, redirects and tfjs weights pointing at `secret`).
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCountingServer, type CountingServer } from '../support/countingServer.ts';
import { ApprovalQueue, type ApprovalRequest } from '../../web/src/server/approvals.ts';
import type { HostRuntime } from '../../web/src/server/runtime.ts';
import { FetchOriginStore } from '../../web/src/storage/fetchOriginStore.ts';
import { RemoteFetchGuard } from '../../web/src/ml/fetchGuard.ts';
import { createMlPack } from '../../web/src/tools/ml/index.ts';
import { download } from '../../web/src/ml/download.ts';
import type { MlEngine } from '../../web/src/ml/engine.ts';
import { MlError } from '../../web/src/ml/errors.ts';
import { downloadTfjs } from '../../web/src/ml/tfjsEngine.ts';
import { readTrainingData } from '../../web/src/ml/trainingData.ts';
import { previewField } from '../support/approvals.ts';
import { browserOnlyMl } from '../support/browserOnlyMl.ts';
import { connectClient, nodeToolPacks, startNodeHost, startRelay, type StartedRelay } from '../support/relay.ts';
import { callToolResult, resultText, type ToolName } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

const PASSWORD = 'DB_PASSWORD=hunter2';

let secret: CountingServer;
let dev: CountingServer;
let relay: StartedRelay;
let host: HostRuntime;
let attacker: Client;
const approvals = new ApprovalQueue({ timeoutMs: 10_000 });
const origins = FetchOriginStore.inMemory();
const asked: ApprovalRequest[] = [];

/**
 * The ML Worker's fetching, run in Node: URL loads and CSV training data go through the Worker's
 * own `download`, `downloadTfjs` and `readTrainingData`; there is no runtime to load or train
 * with, so a call that got its bytes ends with an error saying so. Only loopback is reached.
 */
function fetchingEngine(tabOrigin: string): MlEngine {
  const noRuntime = (what: string) => new MlError(`${what}; this Node host has no ML runtime to go on with`);
  return {
    ...browserOnlyMl.ml,
    load: async (request, settings) => {
      const { source, kind } = request;
      if (!('url' in source) || new URL(source.url).hostname !== '127.0.0.1')
        return browserOnlyMl.ml.load(request, settings);
      const url = new URL(source.url);
      if ((kind ?? (url.pathname.endsWith('.json') ? 'tfjs' : 'onnx')) === 'tfjs') {
        await downloadTfjs(url, settings.maxModelBytes);
      } else await download(url, settings.maxModelBytes);
      throw noRuntime(`downloaded ${url.href}`);
    },
    train: async (_, request) => {
      const examples = await readTrainingData(request.data, tabOrigin);
      throw noRuntime(`read ${examples.x.length} examples`);
    },
  };
}

beforeAll(async () => {
  secret = await startCountingServer((_, response) => response.end(`${PASSWORD}\nAWS_SECRET=abc\n`));
  dev = await startCountingServer((request, response) => {
    switch (request.url) {
      case '/leaky.csv':
        response.end(`${PASSWORD},label\nx,1\n`);
        return;
      case '/redirect.csv':
      case '/redirect.onnx':
        response.writeHead(302, { location: `${secret.origin}/` }).end();
        return;
      case '/escaping/model.json':
        response.end(
          JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [`${secret.origin}/w.bin`], weights: [] }] }),
        );
        return;
      default:
        response.writeHead(404).end(PASSWORD);
    }
  });
  relay = await startRelay();
  const fetchGuard = new RemoteFetchGuard({ tabOrigin: relay.url, origins, approvals });
  const packs = nodeToolPacks().map((pack) =>
    pack.name === 'ml' ? createMlPack({ ...browserOnlyMl, ml: fetchingEngine(relay.url), fetchGuard }) : pack,
  );
  host = await startNodeHost(relay.url, { packs, trust: { approvals } });
  const { token } = await host.mintToken({ name: 'Hostile client', scopes: ['ml', 'quantum'] });
  attacker = await connectClient(host.mcpUrl!, token, 'hostile');
  approvals.on((pending) => {
    for (const request of pending) if (!asked.includes(request)) asked.push(request);
  });
});
afterAll(async () => {
  await attacker?.close();
  host?.stop();
  await relay?.close();
  secret?.server.close();
  dev?.server.close();
});
beforeEach(() => {
  asked.length = 0;
  for (const { origin } of origins.list()) origins.remove(origin);
});
afterEach(() => approvals.closeAll('the test ended'));

const call = (name: ToolName, args: Record<string, unknown>) => callToolResult(attacker, name, args);

/** The text of a call that must fail. */
async function refusal(name: ToolName, args: Record<string, unknown>): Promise<string> {
  const result = await call(name, args);
  const text = resultText(result);
  expect(result.isError, text).toBe(true);
  return text;
}

const TRAIN = { layers: [{ type: 'dense', units: 1, inputShape: [1] }], epochs: 1 };
const asModel = (url: string) => ['model_load', { url, kind: 'onnx' }] as const;
const asCsv = (url: string) => ['train_model', { ...TRAIN, data: { csv_url: url } }] as const;

describe('a remote client naming addresses on this machine or its network', () => {
  const local = () => [
    `${secret.origin}/`,
    `http://localhost:${secret.port}/.env`,
    `http://2130706433:${secret.port}/`,
    `http://0x7f.0.0.1:${secret.port}/`,
    `http://[::ffff:127.0.0.1]:${secret.port}/`,
    `http://0.0.0.0:${secret.port}/`,
    `//127.0.0.1:${secret.port}/`,
  ];

  it('is refused before anything is fetched, with the setting that would allow it, and nobody is asked', async () => {
    for (const url of local()) {
      for (const [tool, args] of [asModel(url), asCsv(url)]) {
        const text = await refusal(tool, args);
        expect(text, `${tool} ${url}`).toMatch(
          /refused to fetch from http:\/\/(127\.0\.0\.1|localhost|0\.0\.0\.0|\[::ffff:7f00:1\]):\d+: it is/,
        );
        expect(text).toContain('Settings → "Origins clients may fetch from"');
      }
    }
    expect(secret.hits).toEqual([]);
    expect(asked).toEqual([]);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'a link-local address'],
    ['http://192.168.1.1/cgi-bin/reboot', 'a private-network address'],
    ['http://[fd12::1]:9000/model.onnx', 'a private-network address'],
    ['http://100.64.0.1/', 'a private-network address'],
    ['http://printer.local/', 'a name only the local network resolves'],
    ['http://api.localhost/', 'a loopback address'],
  ])('%s is refused as %s', async (url, words) => {
    expect(await refusal(...asModel(url))).toContain(words);
    expect(await refusal(...asCsv(url))).toContain(words);
    expect(asked).toEqual([]);
  });

  it.each(['file:///etc/passwd', 'data:text/csv,a%2Cb%0A1%2C2', 'blob:http://localhost/x', 'ftp://example.com/x'])(
    'naming %s is refused (http and https only)',
    async (url) => {
      expect(await refusal(...asModel(url))).toMatch(/fetches http: and https: URLs only; '[a-z]+:' is refused/);
      expect(await refusal(...asCsv(url))).toMatch(/fetches http: and https: URLs only/);
    },
  );

  it('cannot smuggle a path or URL in as a Hugging Face model id (transformers.js fetches //host/… as a URL)', async () => {
    for (const id of [`//127.0.0.1:${secret.port}/x`, `\\\\127.0.0.1:${secret.port}\\x`, '../../../.env']) {
      const loaded = await refusal('model_load', { hub: id, task: 'feature-extraction' });
      expect(loaded).toContain("a Hugging Face model id is 'owner/name' or 'name'");
      const piped = await refusal('ml_pipeline', { task: 'feature-extraction', model: id, inputs: 'x' });
      expect(piped).toContain('a Hugging Face model id');
    }
    expect(secret.hits).toEqual([]);
  });
});

describe('an origin the person allowed in Settings', () => {
  beforeEach(() => origins.add(dev.origin));

  it('serves the client, but its CSV never comes back in an error', async () => {
    for (const label of [undefined, 'price']) {
      const text = await refusal('train_model', { ...TRAIN, data: { csv_url: `${dev.origin}/leaky.csv`, label } });
      expect(text).toMatch(/CSV line 2, column 1 of 2 is not a number|has no column named 'price'/);
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('DB_PASSWORD');
    }
    expect(dev.hits).toContain('/leaky.csv');
    expect(asked).toEqual([]);
  });

  it("is not a way to reach the tab's other services: redirects are not followed", async () => {
    for (const [tool, args] of [asModel(`${dev.origin}/redirect.onnx`), asCsv(`${dev.origin}/redirect.csv`)]) {
      const text = await refusal(tool, args);
      expect(text).toContain('answered with a redirect, which Vial does not follow');
    }
    expect(secret.hits).toEqual([]);
  });

  it('is not a way to reach them through tfjs weight paths either', async () => {
    const text = await refusal('model_load', { url: `${dev.origin}/escaping/model.json` });
    expect(text).toContain('weight files must be on the same origin as model.json');
    expect(secret.hits).toEqual([]);
  });

  it("does not quote an error page's body or status text", async () => {
    const text = await refusal(...asCsv(`${dev.origin}/missing.csv`));
    expect(text).toContain(`${dev.origin}/missing.csv answered HTTP 404; check the URL.`);
    expect(text).not.toContain('hunter2');
  });

  it('covers that origin only: another port on the same host is still refused', async () => {
    await refusal(...asCsv(`http://127.0.0.1:${secret.port}/`));
    expect(secret.hits).toEqual([]);
  });
});

describe('a new public origin', () => {
  it('waits for the person, who is shown the client, the tool and the origin; approved, it is remembered', async () => {
    const loading = call('model_load', { hub: 'Xenova/all-MiniLM-L6-v2', task: 'feature-extraction' });
    await until(() => asked.length === 1);
    const [request] = asked;
    expect(request!.client).toBe('Hostile client');
    expect(request!.tool).toBe('model_load');
    expect(previewField(request!, 'Origin')).toBe('https://huggingface.co');
    expect(request!.preview.summary).toBe(
      'Hostile client wants this tab to fetch hub models from https://huggingface.co',
    );
    approvals.approve(request!.id);
    // Approved: the call reaches the (missing) ML runtime.
    expect((await loading).content).toEqual([expect.objectContaining({ text: expect.stringContaining('ML Worker') })]);
    expect(origins.list()).toEqual([
      expect.objectContaining({ origin: 'https://huggingface.co', client: 'Hostile client' }),
    ]);

    asked.length = 0;
    await call('ml_pipeline', { task: 'feature-extraction', model: 'Xenova/all-MiniLM-L6-v2', inputs: 'x' });
    expect(asked).toEqual([]);
  });

  it('is refused when the person rejects it, and not remembered', async () => {
    const loading = refusal('model_load', { url: 'https://models.example.com/model.onnx' });
    await until(() => asked.length === 1);
    expect(previewField(asked[0]!, 'URL')).toBe('https://models.example.com/model.onnx');
    expect(previewField(asked[0]!, 'Tool')).toBe('model_load');
    approvals.reject(asked[0]!.id);
    expect(await loading).toContain('model_load was rejected by the user');
    expect(origins.list()).toEqual([]);
  });
});

describe('input limits', () => {
  it('train_model refuses a model over the parameter limit before the Worker builds anything', async () => {
    const text = await refusal('train_model', {
      layers: [
        { type: 'dense', units: 65_536, inputShape: [65_536] },
        { type: 'dense', units: 65_536 },
      ],
      data: { x: [[1]], y: [1] },
    });
    expect(text).toContain(
      "The model has 4,295,032,832 parameters by layer 1 (dense), over train_model's limit of 10,000,000.",
    );
  });

  it('quantum_simulate answers a deeply nested angle with the line, column and limit', async () => {
    const deep = `${'('.repeat(100_000)}pi${')'.repeat(100_000)}`;
    const qasm = `OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nrz(${deep}) q[0];\n`;
    const text = await refusal('quantum_simulate', { qasm, shots: 1 });
    expect(text).toContain('QASM line 4, col 204: expression nested more than 200 deep');
    expect(text).not.toContain('call stack');
  });
});
