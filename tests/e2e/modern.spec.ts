/**
 * The 2.x SDK client in its three modes against the tab in real Chromium through the real relay:
 * pinned to 2026-07-28, `auto` (must pick the modern era with no `initialize`), and legacy. Each
 * lists tools, calls `quantum_simulate` with progress, cancels a running one (modern: aborting
 * the request closes its stream) and reads the circuit resource the tab stored; a modern client
 * listening (`subscriptions/listen`) hears the circuit's storing from the tab. A recording
 * `fetch` keeps the JSON-RPC method of every POST the client sent, so "no initialize" is seen on
 * the wire, not assumed.
 */
import { expect, test, type Page } from '@playwright/test';
import { Client, StreamableHTTPClientTransport, type VersionNegotiationMode } from '@modelcontextprotocol/client';
import { ghzQasm, QASM_HEADER } from '../support/circuits.ts';
import { callToolResult, resourceText, structuredOf } from '../support/toolResults.ts';
import { createToken, openVial } from './support/vial.ts';

const MODES: { name: string; mode: VersionNegotiationMode; modern: boolean }[] = [
  { name: 'pinned', mode: { pin: '2026-07-28' }, modern: true },
  { name: 'auto', mode: 'auto', modern: true },
  { name: 'legacy', mode: 'legacy', modern: false },
];

/** 22 qubits and thousands of gates: seconds of CPU work, so a cancel lands while it runs. */
function longCircuit(): string {
  const lines = ['qreg q[22];', 'creg c[22];'];
  for (let layer = 0; layer < 200; layer++) for (let q = 0; q < 22; q++) lines.push(`h q[${q}];`);
  return `${QASM_HEADER}${lines.join('\n')}\nmeasure q -> c;\n`;
}

test.describe('the 2.x client in three modes against the tab', () => {
  test.describe.configure({ mode: 'serial' });

  let page: Page;
  let mcpUrl: string;
  let token: string;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    mcpUrl = await openVial(page);
    token = await createToken(page, 'Modes client', ['quantum']);
  });

  test.afterAll(async () => {
    await page.close();
  });

  /** A client in `mode` named `app`, and the JSON-RPC methods of the POSTs it sent. */
  async function connect(mode: VersionNegotiationMode, app: string): Promise<{ client: Client; methods: string[] }> {
    const methods: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      if (init?.method === 'POST') {
        if (typeof init.body !== 'string') throw new Error(`expected a JSON string body, got ${typeof init.body}`);
        const message = JSON.parse(init.body) as { method?: string };
        methods.push(message.method ?? '(answer)');
      }
      return fetch(input, init);
    };
    const client = new Client({ name: app, version: '1.0.0' }, { versionNegotiation: { mode } });
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
      fetch: recording,
    });
    await client.connect(transport);
    return { client, methods };
  }

  for (const { name, mode, modern } of MODES) {
    test(`${name}: lists tools, calls with progress, cancels a running call, reads a resource`, async () => {
      const app = `e2e-modes-${name}`;
      const { client, methods } = await connect(mode, app);
      try {
        if (modern) expect(methods).not.toContain('initialize');
        else expect(methods[0]).toBe('initialize');

        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(
          expect.arrayContaining(['quantum_simulate', 'system_diagnostics']),
        );

        // Modern: a listen stream at the relay hears what the tab publishes when it stores the circuit.
        const listChanges: string[] = [];
        client.setNotificationHandler('notifications/resources/list_changed', () => void listChanges.push('resources'));
        const subscription = modern ? await client.listen({ resourcesListChanged: true }) : undefined;

        const progress: Array<{ progress: number; total?: number }> = [];
        const result = await callToolResult(
          client,
          'quantum_simulate',
          { qasm: ghzQasm(4), shots: 200, seed: 21, backend: 'cpu' },
          { onprogress: (update) => progress.push(update) },
        );
        const simulated = structuredOf('quantum_simulate', result);
        expect(Object.keys(simulated.counts ?? {}).sort()).toEqual(['0000', '1111']);
        // The last gate application always reports, however short the run.
        expect(progress.length).toBeGreaterThan(0);
        expect(progress.at(-1)!.progress).toBe(progress.at(-1)!.total);
        if (subscription) await expect.poll(() => listChanges.length).toBeGreaterThan(0);

        // Cancel once the tab reports it has started: the abort must reach the Worker mid-run.
        const abort = new AbortController();
        let heard = 0;
        const running = client.callTool(
          { name: 'quantum_simulate', arguments: { qasm: longCircuit(), shots: 10, backend: 'cpu' } },
          {
            signal: abort.signal,
            onprogress: (update) => {
              heard = update.progress;
              if (update.progress < (update.total ?? Infinity)) abort.abort('enough');
            },
            timeout: 60_000,
          },
        );
        await expect(running).rejects.toThrow();
        expect(heard).toBeGreaterThan(0);
        await page.getByRole('link', { name: 'Activity' }).click();
        // The row carries the client name the call's `_meta` (modern) or `initialize` (legacy) gave.
        const cancelled = page
          .getByTestId('activity-row')
          .filter({ hasText: app })
          .filter({ hasText: 'quantum_simulate' })
          .first();
        await expect(cancelled).toHaveAttribute('data-outcome', 'cancelled');

        const { contents } = await client.readResource({ uri: simulated.resource });
        expect(contents[0]?.uri).toBe(simulated.resource);
        expect(resourceText({ contents })).toContain(simulated.hash);

        expect(methods).toEqual(expect.arrayContaining(['tools/list', 'tools/call', 'resources/read']));
        if (modern) {
          // No session at any point, and the cancel was the closed stream alone: no notification.
          expect(methods[0]).toBe('server/discover');
          expect(methods).not.toContain('initialize');
          expect(methods).not.toContain('notifications/cancelled');
        } else {
          expect(methods).toContain('notifications/cancelled');
        }
      } finally {
        await client.close().catch(() => undefined);
      }
    });
  }
});
