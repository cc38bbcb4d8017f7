/**
 * The audit log as MCP sees it: `system_logs_tail` for the latest tool calls (optionally
 * filtered, optionally with a check of the hash chains) and the resource `vial://audit/log`.
 * Entries hold a digest of each call's arguments, never the arguments.
 *
 * Who sees what: every token sees its own calls. A token with the `audit` scope sees every
 * client's, and only it may verify the chains or read `vial://audit/log`. In another client's
 * entry, a detail is shown only when the reader holds the scopes that entry's tool needs (a
 * wallet tool's error can name an address or a balance). Each client runs at most
 * `READS_PER_CLIENT` reads at once.
 */
import type { ClientIdentity, Scope } from '@vial/shared';
import { z } from 'zod';
import { auditOutcomeSchema, type AuditEntry, type AuditFilter, type AuditLog } from '../../audit/auditLog.ts';
import { defineTool, jsonResource, jsonResult, type ResourceDefinition } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import type { LogsTailOutput } from './outputs.ts';

export type { LogsTailOutput } from './outputs.ts';

const RESOURCE_ENTRIES = 100;
export const READS_PER_CLIENT = 2;

/** A reader that holds it sees every client's entries and may verify the log. */
const AUDIT_SCOPE: Scope = 'audit';

const readsInFlight = new WeakMap<AuditLog, Map<string, number>>();

/** Runs one read for `reader`, refusing it while the reader already has `READS_PER_CLIENT` running. */
async function oneOfFewReads<T>(audit: AuditLog, reader: ClientIdentity, work: () => Promise<T>): Promise<T> {
  const running = readsInFlight.get(audit) ?? new Map<string, number>();
  readsInFlight.set(audit, running);
  const now = running.get(reader.tokenId) ?? 0;
  if (now >= READS_PER_CLIENT) {
    throw new ToolError(
      `Token '${reader.tokenName}' already has ${READS_PER_CLIENT} audit-log reads running; this tab runs no more at once for one client.`,
      { hints: ['Wait for them to finish, then retry.'] },
    );
  }
  running.set(reader.tokenId, now + 1);
  try {
    return await work();
  } finally {
    const left = (running.get(reader.tokenId) ?? 1) - 1;
    if (left > 0) running.set(reader.tokenId, left);
    else running.delete(reader.tokenId);
  }
}

/**
 * An entry as `reader` may see it: its own entries whole; another client's without its detail
 * unless the reader holds every scope the entry's tool needs (and `wallet:read` for a signing
 * tool, whose details describe the wallet).
 */
export function visibleEntry(entry: AuditEntry, reader: ClientIdentity): AuditEntry {
  if (entry.clientId === reader.tokenId || entry.detail === undefined) return entry;
  if (entry.scopes === undefined) {
    return {
      ...entry,
      detail: '[hidden: this entry does not say which scopes its tool needs, so only its client sees it]',
    };
  }
  const needed = entry.scopes.includes('wallet:sign') ? [...entry.scopes, 'wallet:read'] : entry.scopes;
  const missing = [...new Set(needed)].filter((scope) => !(reader.scopes as readonly string[]).includes(scope));
  if (missing.length === 0) return entry;
  return { ...entry, detail: `[hidden: ${entry.tool} needs ${missing.join(', ')}, which this token lacks]` };
}

async function auditReport(
  audit: AuditLog,
  reader: ClientIdentity,
  limit: number,
  filter: Omit<AuditFilter, 'clientId'>,
  verify: boolean,
): Promise<LogsTailOutput> {
  const seesAll = reader.scopes.includes(AUDIT_SCOPE);
  const entries = await audit.tail(limit, seesAll ? filter : { ...filter, clientId: reader.tokenId });
  return {
    sees: seesAll ? ('every client' as const) : ('own calls' as const),
    entries: entries.map((entry) => visibleEntry(entry, reader)),
    ...(verify ? { verification: await audit.verify() } : {}),
  };
}

export const systemLogsTail = defineTool({
  name: 'system_logs_tail',
  title: 'Tail the audit log',
  description:
    "Returns the latest entries of this tab's tool-call audit log, newest first: time, client (token name), tool, SHA-256 digest of the arguments, outcome, duration and any error detail. A token sees its own calls; with the `audit` scope, every client's (another client's error details only where this token holds that tool's scopes). Filter by tool, client or outcome. With verify: true (needs `audit`) it also checks the log's hash chains since the last check and reports the first altered or removed entry.",
  scopes: [],
  access: 'read',
  input: z.strictObject({
    lines: z.number().int().min(1).max(1000).default(50).describe('How many entries to return (1–1000).'),
    tool: z.string().optional().describe('Only calls of this tool.'),
    client: z.string().optional().describe('Only calls from this token name.'),
    outcome: auditOutcomeSchema.optional().describe('Only calls that ended this way.'),
    verify: z.boolean().default(false).describe('Also verify the hash chains (needs the audit scope).'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ lines, tool, client, outcome, verify }, { services, client: reader }) => {
    if (verify && !reader.scopes.includes(AUDIT_SCOPE)) {
      throw new ToolError(`Token '${reader.tokenName}' lacks the scope audit needed to verify the audit log.`, {
        hints: [
          "Leave verify out to read your own calls, or mint a token that includes audit in the Vial app's Connect view.",
        ],
      });
    }
    return jsonResult(
      await oneOfFewReads(services.audit, reader, () =>
        auditReport(services.audit, reader, lines, { tool, client, outcome }, verify),
      ),
    );
  },
});

export const auditLogResource: ResourceDefinition = {
  name: 'audit_log',
  uri: 'vial://audit/log',
  title: 'Audit log',
  description: `The latest ${RESOURCE_ENTRIES} tool calls of every client in this tab's hash-chained audit log, newest first, with the result of verifying the chains since the last check. Needs the audit scope.`,
  mimeType: 'application/json',
  scopes: [AUDIT_SCOPE],
  read: async (uri, { services, client }) =>
    jsonResource(
      uri,
      await oneOfFewReads(services.audit, client, () =>
        auditReport(services.audit, client, RESOURCE_ENTRIES, {}, true),
      ),
    ),
};
