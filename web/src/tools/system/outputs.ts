/**
 * What the system tools return: each tool's `outputSchema`, checked against every
 * `structuredContent` it sends, and the types its tests read.
 */
import { z } from 'zod';
import { auditEntrySchema } from '../../audit/auditChain.ts';

const webGpuReport = z.strictObject({
  available: z.boolean(),
  reason: z.string().optional().describe('Why WebGPU is unavailable, when it is'),
  adapter: z
    .strictObject({
      vendor: z.string(),
      architecture: z.string(),
      device: z.string(),
      description: z.string(),
      isFallbackAdapter: z.boolean(),
    })
    .optional(),
  features: z.array(z.string()).optional(),
  limits: z.record(z.string(), z.number()).optional(),
});
export type WebGpuReport = z.infer<typeof webGpuReport>;

/** `system_diagnostics` (and `vial://system/diagnostics`): what this machine offers the tools. */
export const diagnosticsOutput = z.strictObject({
  vial: z.strictObject({ version: z.string(), hostId: z.string(), mcpProtocolVersions: z.array(z.string()) }),
  runtime: z.strictObject({
    kind: z.enum(['browser', 'worker', 'node']),
    userAgent: z.string(),
    secureContext: z.boolean(),
    crossOriginIsolated: z.boolean(),
    sharedArrayBuffer: z.boolean(),
  }),
  cpu: z.strictObject({ logicalCores: z.number().int().positive().nullable() }),
  memory: z.strictObject({ deviceMemoryGiB: z.number().nonnegative().nullable() }),
  webgpu: webGpuReport,
  relay: z.strictObject({ roundTripMs: z.number().nonnegative().nullable() }),
  collectedAt: z.string().describe('ISO 8601'),
});
export type DiagnosticsOutput = z.infer<typeof diagnosticsOutput>;

const laneCoverage = z.strictObject({
  lane: z.string(),
  client: z.string().optional().describe("The client's token name, for a client's lane"),
  entries: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  pruned: z
    .strictObject({
      count: z.number().int().nonnegative(),
      throughSeq: z.number().int().nonnegative(),
      hash: z.string(),
      newestAt: z.number().optional(),
    })
    .optional(),
});

const mode = z.enum(['full', 'incremental']);

/** What verifying the audit log's hash chains found: every lane intact, or the first entry that is not. */
export const auditVerificationOutput = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    entries: z.number().int().nonnegative(),
    lastSeq: z.number().int().nonnegative(),
    mode,
    checked: z.number().int().nonnegative().describe('Entries hashed this time'),
    lanes: z.array(laneCoverage),
  }),
  z.strictObject({
    ok: z.literal(false),
    entries: z.number().int().nonnegative(),
    seq: z.number().int().nonnegative(),
    problem: z.string(),
    mode,
  }),
]);
export type AuditVerificationOutput = z.infer<typeof auditVerificationOutput>;

/**
 * `system_logs_tail` (and `vial://audit/log`): the entries this token may see, newest first. A
 * token without `audit` sees its own calls only; another client's detail is hidden unless the
 * reader holds that tool's scopes (`visibleEntry`), in both forms of the result alike.
 */
export const logsTailOutput = z.strictObject({
  sees: z.enum(['every client', 'own calls']),
  entries: z.array(auditEntrySchema),
  verification: auditVerificationOutput.optional().describe('With verify: true (needs the audit scope)'),
});
export type LogsTailOutput = z.infer<typeof logsTailOutput>;
