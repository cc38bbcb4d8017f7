/**
 * The code that serves sessions loads when the tab goes online (web/src/server/sessionCode.ts):
 * the relay's first frames wait for it, fixture packs come in only where the relay names them, and
 * a fixture pack that fails to load is left out without costing anyone their session.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectClient, startStack } from '../support/relay.ts';
import { createTestPack } from '../support/testPack.ts';

const testPack = createTestPack({ started: 0, aborted: [] });

let stack: Awaited<ReturnType<typeof startStack>> | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await stack?.close();
  stack = undefined;
});

describe('session code loaded on going online', () => {
  it('serves a client that connects at once, with the fixture packs the relay named', async () => {
    let loads = 0;
    stack = await startStack({
      env: { VIAL_FIXTURES: 'test' },
      fixturePacks: {
        test: async () => {
          loads++;
          return testPack;
        },
        unnamed: () => Promise.reject(new Error('must not be loaded')),
      },
    });
    const client = await connectClient(stack.mcpUrl, stack.token);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('test_echo');
    expect(names).toContain('system_diagnostics');
    expect(loads).toBe(1);
    await client.close();
  });

  it('leaves out a fixture pack that fails to load, says why, and serves the rest', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    stack = await startStack({
      env: { VIAL_FIXTURES: 'broken,test' },
      fixturePacks: {
        broken: () => Promise.reject(new Error('chunk gone')),
        test: async () => testPack,
      },
    });
    const client = await connectClient(stack.mcpUrl, stack.token);
    const reply = await client.callTool({ name: 'test_echo', arguments: { text: 'still here' } });
    expect(JSON.stringify(reply.content)).toContain('still here');
    expect(errors.mock.calls.flat().join(' ')).toMatch(/could not load the fixture pack broken: chunk gone/);
    await client.close();
  });
});
