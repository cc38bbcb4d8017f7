/**
 * The tab's permission policy: for each tool, whether a call runs (`allow`), waits for the person
 * at the tab (`prompt`) or is refused (`deny`), plus a per-client rate limit on compute tools.
 * It is checked after the token's scopes: scopes say what a client may ask for, the policy says
 * what this tab lets happen.
 */
import type { ClientIdentity } from '@vial/shared';
import { z } from 'zod';
import { DEFAULT_APPROVAL_TIMEOUT_MS } from './approvals.ts';

/**
 * What a tool does, which decides its default policy: `read` looks at state, `compute` spends
 * the user's CPU/GPU, `sign` acts with the user's wallet. A tool that does not say is unknown.
 */
export type ToolAccess = 'read' | 'compute' | 'sign';

export const policySchema = z.enum(['allow', 'prompt', 'deny']);
export type Policy = z.infer<typeof policySchema>;

export const permissionSettingsSchema = z.object({
  /** Policies the person chose; tools not listed follow their default. */
  tools: z.record(z.string(), policySchema),
  /** How many compute calls one client (token) may make per minute. */
  computeCallsPerMinute: z.number().int().min(1).max(100_000),
  /** How long a request waits for the person's approval before it fails; settings saved before it existed get 2 min. */
  approvalTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(DEFAULT_APPROVAL_TIMEOUT_MS / 1000),
});
export type PermissionSettings = z.infer<typeof permissionSettingsSchema>;

export const DEFAULT_PERMISSION_SETTINGS: PermissionSettings = {
  tools: {},
  computeCallsPerMinute: 600,
  approvalTimeoutSeconds: DEFAULT_APPROVAL_TIMEOUT_MS / 1000,
};

/** Where the settings are kept: IndexedDB in the tab (`web/src/storage/`), memory in Node hosts. */
export interface PermissionStore {
  load(): Promise<PermissionSettings | undefined>;
  save(settings: PermissionSettings): Promise<void>;
}

export class MemoryPermissionStore implements PermissionStore {
  private settings: PermissionSettings | undefined;
  async load() {
    return this.settings;
  }
  async save(settings: PermissionSettings) {
    this.settings = structuredClone(settings);
  }
}

export function defaultPolicy(access: ToolAccess | undefined): Policy {
  switch (access) {
    case 'read':
    case 'compute':
      return 'allow';
    case 'sign':
      return 'prompt';
    default:
      return 'deny';
  }
}

/** Signing never runs unattended: a signing tool can only prompt or be denied. */
export function allowedPolicies(access: ToolAccess | undefined): Policy[] {
  return access === 'sign' ? ['prompt', 'deny'] : ['allow', 'prompt', 'deny'];
}

/** What the policy says about one call. */
export type PolicyDecision = { kind: 'allow' } | { kind: 'prompt' } | { kind: 'deny'; reason: string };

export interface PolicyCall {
  tool: string;
  access: ToolAccess | undefined;
  client: ClientIdentity;
}

const WINDOW_MS = 60_000;

export class Permissions {
  private settings: PermissionSettings = structuredClone(DEFAULT_PERMISSION_SETTINGS);
  /** Start times of each client's compute calls in the last minute, oldest first. */
  private readonly computeCalls = new Map<string, number[]>();
  private readonly listeners = new Set<(settings: PermissionSettings) => void>();

  constructor(
    private readonly store: PermissionStore,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    this.settings = (await this.store.load()) ?? structuredClone(DEFAULT_PERMISSION_SETTINGS);
    this.emit();
  }

  current(): PermissionSettings {
    return structuredClone(this.settings);
  }

  policyFor(tool: string, access: ToolAccess | undefined): Policy {
    const chosen = this.settings.tools[tool];
    // A stored choice the tool no longer permits (e.g. `allow` on a tool that now signs) falls back.
    return chosen && allowedPolicies(access).includes(chosen) ? chosen : defaultPolicy(access);
  }

  async setPolicy(tool: string, access: ToolAccess | undefined, policy: Policy): Promise<void> {
    if (!allowedPolicies(access).includes(policy)) {
      throw new Error(`'${tool}' signs with the wallet, so it cannot be set to allow: choose prompt or deny`);
    }
    const tools = { ...this.settings.tools };
    if (policy === defaultPolicy(access)) delete tools[tool];
    else tools[tool] = policy;
    await this.save({ ...this.settings, tools });
  }

  async setComputeCallsPerMinute(limit: number): Promise<void> {
    const parsed = permissionSettingsSchema.shape.computeCallsPerMinute.safeParse(limit);
    if (!parsed.success)
      throw new Error(`the compute rate limit must be a whole number from 1 to 100000, not ${limit}`);
    await this.save({ ...this.settings, computeCallsPerMinute: parsed.data });
  }

  approvalTimeoutMs(): number {
    return this.settings.approvalTimeoutSeconds * 1000;
  }

  async setApprovalTimeoutSeconds(seconds: number): Promise<void> {
    const parsed = permissionSettingsSchema.shape.approvalTimeoutSeconds.safeParse(seconds);
    if (!parsed.success)
      throw new Error(`the approval timeout must be a whole number of seconds from 1 to 3600, not ${seconds}`);
    await this.save({ ...this.settings, approvalTimeoutSeconds: parsed.data });
  }

  /** Decides one call and, when a compute call is allowed, counts it against the client's limit. */
  decide(call: PolicyCall): PolicyDecision {
    const policy = this.policyFor(call.tool, call.access);
    if (policy === 'deny') {
      const why =
        call.access === undefined
          ? `'${call.tool}' does not say what it does, so this tab denies it by default`
          : `'${call.tool}' is set to deny in this tab's permissions`;
      return {
        kind: 'deny',
        reason: `${why}. The person at the tab can change it in Vial's Settings view (Permissions).`,
      };
    }
    if (call.access === 'compute') {
      const wait = this.takeComputeSlot(call.client.tokenId);
      if (wait !== undefined) {
        return {
          kind: 'deny',
          reason:
            `Client '${call.client.tokenName}' reached this tab's limit of ${this.settings.computeCallsPerMinute} compute calls per minute. ` +
            `Retry in ${Math.ceil(wait / 1000)} s, or ask the person at the tab to raise the limit in Settings.`,
        };
      }
    }
    return { kind: policy };
  }

  on(listener: (settings: PermissionSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Returns undefined when the call fits in the window, otherwise how long until a slot frees. */
  private takeComputeSlot(clientId: string): number | undefined {
    const now = this.now();
    let recent = this.computeCalls.get(clientId);
    if (!recent) this.computeCalls.set(clientId, (recent = []));
    while (recent.length > 0 && recent[0]! <= now - WINDOW_MS) recent.shift();
    if (recent.length >= this.settings.computeCallsPerMinute) return recent[0]! + WINDOW_MS - now;
    recent.push(now);
    return undefined;
  }

  private async save(settings: PermissionSettings): Promise<void> {
    await this.store.save(settings);
    this.settings = settings;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.current());
  }
}
