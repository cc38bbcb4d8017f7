/**
 * `wallet_export_verify`: checks a `wallet_export` result offline, with no wallet: the Markdown's
 * hash, and that the address it names signed the message with that hash.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { MAX_EXPORT_CHARS, verifyExport } from './exportBundle.ts';

export type { ExportVerifyOutput } from './outputs.ts';

export const verifyExportTool = defineTool({
  name: 'wallet_export_verify',
  title: 'Verify a signed wallet export',
  description:
    'Checks a wallet_export result: recomputes the SHA-256 of `markdown`, recovers who signed the export message with `signature`, and requires it to be the address the Markdown names (and `sha256` / `address`, when given — pass the whole wallet_export result). Returns { valid, address, sha256, reason? }; `reason` says what does not match.',
  scopes: ['wallet:read'],
  access: 'read',
  input: z.strictObject({
    markdown: z.string().min(1).max(MAX_EXPORT_CHARS).describe('The Markdown exactly as wallet_export returned it'),
    signature: z.string().min(1).max(1000).describe('The 0x signature wallet_export returned'),
    sha256: z.string().max(100).optional().describe('The hash wallet_export returned, to check too'),
    address: z.string().max(100).optional().describe('The address expected to have signed'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ markdown, signature, sha256, address }) =>
    jsonResult(await verifyExport(markdown, signature, { sha256, address })),
});
