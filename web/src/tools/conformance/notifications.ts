/** Tools that send notifications on their own request's stream while they run. */
import { defineTool } from '../../host/registry.ts';
import { sleep } from './media.ts';

export const toolWithLogging = defineTool({
  name: 'test_tool_with_logging',
  description: 'Sends three info-level log messages (notifications/message), 50 ms apart, while it runs.',
  scopes: [],
  access: 'read',
  input: {},
  run: async (_input, { extra, signal }) => {
    const steps = ['Tool execution started', 'Tool processing data', 'Tool execution completed'];
    for (const [index, data] of steps.entries()) {
      if (index > 0) await sleep(50, signal);
      // Related to this call, so the messages travel on its stream and arrive before the result.
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level: 'info', logger: 'conformance', data },
      });
    }
    return { content: [{ type: 'text', text: 'Tool with logging executed successfully' }] };
  },
});

export const toolWithProgress = defineTool({
  name: 'test_tool_with_progress',
  description: 'Reports progress 0, 50 and 100 of 100, 50 ms apart, when the call carries a progress token.',
  scopes: [],
  access: 'read',
  input: {},
  run: async (_input, { extra, progress, signal }) => {
    for (const done of [0, 50, 100]) {
      if (done > 0) await sleep(50, signal);
      await progress(done, 100, `Completed ${done}%`);
    }
    const token = extra._meta?.progressToken;
    return { content: [{ type: 'text', text: `Progress tool completed (token: ${String(token ?? 'none')})` }] };
  },
});
