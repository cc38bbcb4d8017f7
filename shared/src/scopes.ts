import { z } from 'zod';

/** Capabilities a client token can be granted; tools name the scopes they need. */
export const SCOPES = ['quantum', 'ml', 'llm', 'wallet:read', 'wallet:sign', 'audit'] as const;
export const scopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof scopeSchema>;

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  quantum: 'run quantum circuits on this GPU',
  ml: 'load models, run inference and training',
  llm: 'call LLM providers through the relay',
  'wallet:read': 'read wallet address, chain and balances',
  'wallet:sign': 'propose signatures and transactions (each one still needs your approval)',
  audit: "read every client's calls in the audit log and verify it (without it, a client sees only its own)",
};
