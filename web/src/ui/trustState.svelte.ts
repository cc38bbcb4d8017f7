/**
 * What the Settings view, the approval panel and the audit part of the Activity view share, as
 * Svelte runes: the permission policy, the pending approvals and the audit log. The decisions
 * themselves are made by the host runtime's gate, the same one every MCP call passes.
 */
import type { ApprovalRequest } from '../server/approvals.ts';
import type { AuditEntry, AuditVerification } from '../audit/auditLog.ts';
import { allowedPolicies, type PermissionSettings, type Policy, type ToolAccess } from '../server/permissions.ts';
import type { HostRuntime } from '../server/runtime.ts';

/** The Activity view lists this many audit entries, newest first. */
export const AUDIT_VIEW_LIMIT = 200;

export interface ToolPermissionRow {
  name: string;
  title: string | undefined;
  access: ToolAccess | undefined;
  policy: Policy;
  choices: Policy[];
}

export class TrustState {
  approvals: ApprovalRequest[] = $state.raw([]);
  settings: PermissionSettings | undefined = $state.raw();
  auditEntries: AuditEntry[] = $state.raw([]);
  verification: AuditVerification | undefined = $state.raw();
  verifying = $state(false);
  error: string | undefined = $state();
  /** A clock for the approvals' countdowns; it ticks only while something waits. */
  now = $state(Date.now());

  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly runtime: HostRuntime) {}

  /** Call after the runtime has started (its policy is loaded then). */
  async start(): Promise<void> {
    const { permissions, approvals } = this.runtime.gate;
    this.unsubscribe.push(
      permissions.on((settings) => (this.settings = settings)),
      approvals.on((pending) => this.setApprovals(pending)),
      this.runtime.audit.on((entry) => (this.auditEntries = [entry, ...this.auditEntries].slice(0, AUDIT_VIEW_LIMIT))),
    );
    this.settings = permissions.current();
    this.setApprovals(approvals.pending());
    await this.attempt(async () => {
      this.auditEntries = await this.runtime.audit.tail(AUDIT_VIEW_LIMIT);
    });
  }

  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    clearInterval(this.ticker);
  }

  /** One row per tool with its current policy and the policies it may have. */
  toolRows(): ToolPermissionRow[] {
    void this.settings; // re-read when the settings change
    const { permissions } = this.runtime.gate;
    return this.runtime
      .listTools()
      .map((tool) => ({
        name: tool.name,
        title: tool.title,
        access: tool.access,
        policy: permissions.policyFor(tool.name, tool.access),
        choices: allowedPolicies(tool.access),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  setPolicy(row: ToolPermissionRow, policy: Policy): Promise<void> {
    return this.attempt(() => this.runtime.gate.permissions.setPolicy(row.name, row.access, policy));
  }

  setComputeLimit(limit: number): Promise<void> {
    return this.attempt(() => this.runtime.gate.permissions.setComputeCallsPerMinute(limit));
  }

  setApprovalTimeout(seconds: number): Promise<void> {
    return this.attempt(() => this.runtime.gate.permissions.setApprovalTimeoutSeconds(seconds));
  }

  approve(id: string): void {
    void this.attempt(async () => this.runtime.gate.approvals.approve(id));
  }

  reject(id: string): void {
    void this.attempt(async () => this.runtime.gate.approvals.reject(id));
  }

  async verifyAudit(): Promise<void> {
    this.verifying = true;
    try {
      // The person's check covers every entry (hashed in the audit Worker); clients' checks are incremental.
      this.verification = await this.runtime.audit.verify({ full: true });
    } finally {
      this.verifying = false;
    }
  }

  exportAudit(): Promise<string> {
    return this.runtime.audit.exportJsonl();
  }

  private setApprovals(pending: ApprovalRequest[]): void {
    this.approvals = pending;
    this.now = Date.now();
    if (pending.length > 0) this.ticker ??= setInterval(() => (this.now = Date.now()), 1000);
    else {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private async attempt(action: () => Promise<void>): Promise<void> {
    this.error = undefined;
    try {
      await action();
    } catch (error) {
      this.error = (error as Error).message;
    }
  }
}
