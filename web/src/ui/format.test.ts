import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../server/relayConnection.ts';
import { describeStatus, llmAccessNote } from './format.ts';

describe('describeStatus', () => {
  it("shows a host that is not admitted with the relay's reason and what to do", () => {
    const text = describeStatus({ state: 'not-admitted', reason: 'the enrolment code was already used' });
    expect(text.label).toBe('Not admitted');
    expect(text.detail).toContain('the enrolment code was already used');
    expect(text.detail).toContain('did not admit this tab');
  });
});

describe('llmAccessNote', () => {
  const online: ConnectionStatus = { state: 'online', mcpUrl: 'http://relay/mcp/x', fixtures: [] };

  it('says plainly that LLM tools are not available when the relay gave no llmKey', () => {
    expect(llmAccessNote(online)).toMatch(/LLM tools are not available on this relay for this host/);
  });

  it('says nothing with a key, or while the tab is not online', () => {
    expect(llmAccessNote({ ...online, llmKey: 'k' })).toBeUndefined();
    expect(llmAccessNote({ state: 'connecting', attempt: 0 })).toBeUndefined();
  });
});
