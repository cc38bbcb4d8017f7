import { describe, expect, it } from 'vitest';
import { VialError } from '@vial/shared';
import {
  clientBufferFull,
  cutByShutdown,
  jsonRpcError,
  relayError,
  shuttingDown,
  tabOffline,
  tabWentAway,
  tooManyPending,
} from './relayError.ts';

describe('relay errors', () => {
  it('keep the words clients have always read', () => {
    // The messages as the relay wrote them before they had parts.
    expect(tabOffline('h'.repeat(22)).message).toBe(
      `The Vial tab for host ${'h'.repeat(22)} is offline. Open the Vial web app in a browser on the machine that owns this host to bring its tools back; this session resumes automatically.`,
    );
    expect(tabWentAway('reload', 'tools/call').message).toBe(
      "The Vial tab went away (reload) while handling 'tools/call'. The session is kept: retry once the tab is back.",
    );
    expect(tooManyPending(8).message).toBe(
      'Too many requests in flight: this session already has 8 waiting on the Vial tab (VIAL_SESSION_MAX_PENDING). Wait for some to finish before sending more, or raise the limit on the relay.',
    );
    expect(clientBufferFull(1024).message).toBe(
      'The relay dropped this response stream: the client left more than 1024 bytes of it unread (VIAL_CLIENT_BUFFER_BYTES), so the call was cancelled. Read responses as they arrive, or raise the limit on the relay.',
    );
    expect(shuttingDown(5).message).toBe(
      'The Vial relay is shutting down and takes no new requests; retry in 5 s, on this relay once it is back or on another',
    );
    expect(cutByShutdown().message).toBe(
      'The Vial relay is shutting down and this call did not finish in time; retry once the relay is back',
    );
  });

  it('are VialErrors with their parts apart', () => {
    const error = tooManyPending(8);
    expect(error).toBeInstanceOf(VialError);
    expect(error).toMatchObject({
      name: 'RelayError',
      shortMessage: 'Too many requests in flight',
      details: 'this session already has 8 waiting on the Vial tab (VIAL_SESSION_MAX_PENDING)',
      hints: ['Wait for some to finish before sending more, or raise the limit on the relay.'],
    });
    expect(relayError('Use POST /llm/chat').message).toBe('Use POST /llm/chat');
  });

  it('go into JSON-RPC as the message, with the parts and any extra fields as data', () => {
    expect(jsonRpcError(-32001, tabWentAway('closed', 'ping'), { max: 1 })).toEqual({
      code: -32001,
      message:
        "The Vial tab went away (closed) while handling 'ping'. The session is kept: retry once the tab is back.",
      data: {
        max: 1,
        name: 'RelayError',
        shortMessage: "The Vial tab went away (closed) while handling 'ping'",
        hints: ['The session is kept: retry once the tab is back.'],
      },
    });
    // A bare message goes as it always did: no data unless some is given.
    expect(jsonRpcError(-32600, 'Bad Request')).toEqual({ code: -32600, message: 'Bad Request' });
    expect(jsonRpcError(-32000, 'Limited', { limit: 'x' })).toEqual({
      code: -32000,
      message: 'Limited',
      data: { limit: 'x' },
    });
  });
});
