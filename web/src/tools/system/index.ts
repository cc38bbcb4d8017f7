import type { ToolPack } from '../../host/registry.ts';
import { diagnosticsResource, systemDiagnostics } from './diagnostics.ts';
import { troubleshootError } from './troubleshootError.ts';

export const systemPack: ToolPack = {
  name: 'system',
  tools: [systemDiagnostics],
  resources: [diagnosticsResource],
  prompts: [troubleshootError],
};
