/**
 * `test_reconnection` (SEP-1699): closes the client's stream for this call, then answers. The
 * relay keeps the answer in its event store, and the client gets it by resuming with
 * `Last-Event-ID`. `closeSSEStream` is only offered when the client's stream can be resumed.
 */
import { defineTool } from '../../host/registry.ts';
import { sleep } from './media.ts';

export const reconnection = defineTool({
  name: 'test_reconnection',
  description:
    'Closes the SSE stream of this call mid-call (SEP-1699 polling), then answers; the client receives the answer after it reconnects.',
  scopes: [],
  access: 'read',
  input: {},
  run: async (_input, { extra, signal }) => {
    extra.closeSSEStream?.();
    await sleep(100, signal);
    return {
      content: [
        {
          type: 'text',
          text: 'Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.',
        },
      ],
    };
  },
});
