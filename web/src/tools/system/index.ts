import type { ToolPack } from '../../server/toolRegistry.ts';
import { auditLogResource, systemLogsTail } from './auditLog.ts';
import { diagnosticsResource, systemDiagnostics } from './diagnostics.ts';
import { troubleshootError } from './troubleshootError.ts';

export const systemPack: ToolPack = {
  name: 'system',
  tools: [systemDiagnostics, systemLogsTail],
  resources: [diagnosticsResource, auditLogResource],
  prompts: [troubleshootError],
};
