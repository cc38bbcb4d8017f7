/**
 * MCP Apps through the real relay and a Node host, in both protocol eras: a client that advertises
 * the `io.modelcontextprotocol/ui` extension sees quantum_simulate point at its `ui://` app and reads
 * the app's HTML; a client that does not sees no `ui` metadata, no `ui://` resource, and is refused
 * a read. The app's HTML is bounded and checked. (The app itself runs in Chromium: apps.spec.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, ClientCapabilities } from '@modelcontextprotocol/client';
import { APPS, APP_MIME_TYPE, MAX_APP_HTML_CHARS, UI_EXTENSION } from '../../web/src/apps/catalog.ts';
import { checkedAppHtml, toolAppMeta, type AppHtmlSource } from '../../web/src/apps/offer.ts';
import { simulateOutput } from '../../web/src/tools/quantum/outputs.ts';
import { ghzQasm } from '../support/circuits.ts';
import { connectClient, nodeToolPacks, startStack, type ConnectClientOptions } from '../support/relay.ts';

const APP = APPS.find((app) => app.tools.includes('quantum_simulate'))!;
const PAGE = `<!doctype html><html><head><meta name="vial-app" content="${APP.folder}"></head><body>app</body></html>`;
const WITH_APPS: ClientCapabilities = { extensions: { [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } } };
const ERAS: Array<[string, ConnectClientOptions['versionNegotiation']]> = [
  ['2025-11-25 session', 'legacy'],
  ['2026-07-28', { pin: '2026-07-28' }],
];

/** How often the Node host was asked for the app's page (checked like the tab's fetch). */
let served = 0;

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
beforeAll(async () => {
  const appHtml: AppHtmlSource = (app) => {
    served++;
    return Promise.resolve(checkedAppHtml(app, PAGE));
  };
  stack = await startStack({ packs: [...nodeToolPacks(), { name: 'apps', tools: [], appHtml }] });
});
afterAll(() => stack.close());

async function client(era: ConnectClientOptions['versionNegotiation'], capabilities?: ClientCapabilities) {
  return connectClient(stack.mcpUrl, stack.token, 'apps-test', { versionNegotiation: era, capabilities });
}

async function uiOf(c: Client) {
  const { tools } = await c.listTools();
  const { resources } = await c.listResources();
  return {
    meta: Object.fromEntries(tools.map((tool) => [tool.name, tool._meta])),
    uiResources: resources.filter((resource) => resource.uri.startsWith('ui://')),
  };
}

describe.each(ERAS)('MCP Apps on %s', (_era, versionNegotiation) => {
  it('a client with the extension sees quantum_simulate point at its app, and reads the app', async () => {
    const c = await client(versionNegotiation, WITH_APPS);
    try {
      const { meta, uiResources } = await uiOf(c);
      expect(meta.quantum_simulate).toEqual({
        ui: { resourceUri: APP.uri },
        'ui/resourceUri': APP.uri,
        'openai/outputTemplate': APP.uri,
      });
      // Only the tools an app shows carry a link, each to its own app; every app is listed.
      const linked = Object.keys(meta).filter((name) => meta[name] !== undefined);
      expect(linked.sort()).toEqual(APPS.flatMap((app) => app.tools).sort());
      for (const app of APPS) for (const tool of app.tools) expect(meta[tool]).toEqual(toolAppMeta(app));
      expect(uiResources).toEqual(
        APPS.map((app) => expect.objectContaining({ uri: app.uri, name: app.name, mimeType: APP_MIME_TYPE })),
      );
      const { contents } = await c.readResource({ uri: APP.uri });
      expect(contents).toEqual([
        {
          uri: APP.uri,
          mimeType: APP_MIME_TYPE,
          text: PAGE,
          _meta: expect.objectContaining({
            ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true },
          }),
        },
      ]);
      // The tool's result is the same for every client; the app reads it with the tool's own schema.
      const result = await c.callTool({
        name: 'quantum_simulate',
        arguments: { qasm: ghzQasm(2), shots: 64, seed: 1 },
      });
      expect(simulateOutput.parse(result.structuredContent).shots).toBe(64);
    } finally {
      await c.close();
    }
  });

  it('a client without the extension sees no ui metadata and no ui:// resource, and its read is refused', async () => {
    for (const capabilities of [undefined, { extensions: { 'example.com/other': {} } }]) {
      const c = await client(versionNegotiation, capabilities);
      try {
        const { meta, uiResources } = await uiOf(c);
        expect(Object.values(meta).filter((value) => value !== undefined)).toEqual([]);
        expect(uiResources).toEqual([]);
        const before = served;
        await expect(c.readResource({ uri: APP.uri })).rejects.toThrow(/disabled/);
        expect(served).toBe(before);
      } finally {
        await c.close();
      }
    }
  });

  it('a client whose extension lists only other MIME types is offered no app', async () => {
    const other = { extensions: { [UI_EXTENSION]: { mimeTypes: ['text/uri-list'] } } };
    const c = await client(versionNegotiation, other);
    try {
      const { meta, uiResources } = await uiOf(c);
      expect(meta.quantum_simulate).toBeUndefined();
      expect(uiResources).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe("the app's HTML", () => {
  it('is refused past MAX_APP_HTML_CHARS, or when another page answered, saying which', () => {
    const huge = PAGE + ' '.repeat(MAX_APP_HTML_CHARS);
    expect(() => checkedAppHtml(APP, huge)).toThrow(`over the ${MAX_APP_HTML_CHARS} limit`);
    expect(() => checkedAppHtml(APP, '<!doctype html><title>Vial</title>')).toThrow(/not the built app.*pnpm build/);
  });

  it('that fails to load is an error for the reader, and is loaded again on the next read', async () => {
    let page = PAGE + ' '.repeat(MAX_APP_HTML_CHARS);
    const own = await startStack({
      packs: [{ name: 'apps', tools: [], appHtml: async (app) => checkedAppHtml(app, page) }],
    });
    const c = await connectClient(own.mcpUrl, own.token, 'apps-reload', { capabilities: WITH_APPS });
    try {
      await expect(c.readResource({ uri: APP.uri })).rejects.toThrow(/over the .* limit/);
      page = PAGE;
      const { contents } = await c.readResource({ uri: APP.uri });
      expect(contents[0]).toMatchObject({ text: PAGE });
    } finally {
      await c.close();
      await own.close();
    }
  });
});

describe('a page near the size limit', () => {
  it.each(ERAS)('reaches a %s client whole, however the relay splits it', async (_era, versionNegotiation) => {
    // Characters of one, two and four bytes, and surrogate pairs a split must not cut.
    const filler = 'aü€😀'.repeat(Math.floor((MAX_APP_HTML_CHARS - PAGE.length) / 5));
    const page = PAGE.replace('<body>app', `<body>${filler}`);
    const own = await startStack({
      packs: [{ name: 'apps', tools: [], appHtml: async (app) => checkedAppHtml(app, page) }],
    });
    const c = await connectClient(own.mcpUrl, own.token, 'apps-big', { versionNegotiation, capabilities: WITH_APPS });
    try {
      const { contents } = await c.readResource({ uri: APP.uri });
      expect(contents[0]).toMatchObject({ text: page });
    } finally {
      await c.close();
      await own.close();
    }
  });
});

describe('an app has no powers of its own', () => {
  it("a token without the quantum scope reads the app but its tool calls are refused like any other client's", async () => {
    const { token } = await stack.host.mintToken({ name: 'no scopes', scopes: [] });
    const c = await connectClient(stack.mcpUrl, token, 'apps-no-scope', { capabilities: WITH_APPS });
    try {
      const { contents } = await c.readResource({ uri: APP.uri });
      expect(contents).toHaveLength(1);
      const result = await c.callTool({ name: 'quantum_simulate', arguments: { qasm: ghzQasm(2), shots: 8 } });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/lacks the scope quantum/);
    } finally {
      await c.close();
    }
  });
});
