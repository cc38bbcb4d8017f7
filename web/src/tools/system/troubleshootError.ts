import { z } from 'zod';
import { definePrompt } from '../../server/toolRegistry.ts';
import { collectDiagnostics } from './diagnostics.ts';

/** `troubleshoot_error`: a prompt that pairs an error with this machine's diagnostics. */
export const troubleshootError = definePrompt({
  name: 'troubleshoot_error',
  title: 'Troubleshoot a Vial error',
  description: 'Explains an error from a Vial tool using the live diagnostics of the tab that produced it.',
  args: {
    error: z.string().describe('The error message exactly as the tool returned it'),
    tool: z.string().optional().describe('The tool that failed, e.g. quantum_simulate'),
  },
  build: async ({ error, tool }, { services }) => {
    const diagnostics = await collectDiagnostics(services);
    const subject = tool ? `The Vial tool \`${tool}\`` : 'A Vial tool';
    return {
      description: `Troubleshooting: ${error.slice(0, 80)}`,
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `${subject} failed with this error:`,
              '',
              '```',
              error,
              '```',
              '',
              "Vial runs tools in the user's browser tab and reaches it through a relay. These are the tab's live diagnostics:",
              '',
              '```json',
              JSON.stringify(diagnostics, null, 2),
              '```',
              '',
              'Explain the most likely cause in plain words, point to the diagnostic fields that support it (e.g. WebGPU unavailable, no cross-origin isolation, a slow relay round trip), and give the concrete steps the user should take next.',
            ].join('\n'),
          },
        },
      ],
    };
  },
});
