/**
 * The audit log as MCP sees it: `system_logs_tail` for the latest tool calls (optionally
 * filtered, optionally with a check of the hash chain) and the resource `vial://audit/log`.
 * Entries hold a digest of each call's arguments, never the arguments.
 */
import { z } from 'zod';
import { auditOutcomeSchema, type AuditFilter, type AuditLog } from '../../host/audit.ts';
import { defineTool, jsonResource, jsonResult, type ResourceDefinition } from '../../host/registry.ts';

const RESOURCE_ENTRIES = 100;

async function auditReport(audit: AuditLog, limit: number, filter: AuditFilter, verify: boolean) {
  const entries = await audit.tail(limit, filter);
  return { entries, ...(verify ? { verification: await audit.verify() } : {}) };
}

export const systemLogsTail = defineTool({
  name: 'system_logs_tail',
  title: 'Tail the audit log',
  description:
    "Returns the latest entries of this tab's tool-call audit log, newest first: time, client (token name), tool, SHA-256 digest of the arguments, outcome, duration and any error detail. Filter by tool, client or outcome. With verify: true it also checks the log's hash chain and reports the first altered or removed entry.",
  scopes: [],
  access: 'read',
  input: z.strictObject({
    lines: z.number().int().min(1).max(1000).default(50).describe('How many entries to return (1–1000).'),
    tool: z.string().optional().describe('Only calls of this tool.'),
    client: z.string().optional().describe('Only calls from this token name.'),
    outcome: auditOutcomeSchema.optional().describe('Only calls that ended this way.'),
    verify: z.boolean().default(false).describe('Also verify the whole hash chain.'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ lines, tool, client, outcome, verify }, { services }) =>
    jsonResult(await auditReport(services.audit, lines, { tool, client, outcome }, verify)),
});

export const auditLogResource: ResourceDefinition = {
  name: 'audit_log',
  uri: 'vial://audit/log',
  title: 'Audit log',
  description: `The latest ${RESOURCE_ENTRIES} tool calls of this tab's hash-chained audit log, newest first, with the result of verifying the chain.`,
  mimeType: 'application/json',
  scopes: [],
  read: async (uri, { services }) => jsonResource(uri, await auditReport(services.audit, RESOURCE_ENTRIES, {}, true)),
};
