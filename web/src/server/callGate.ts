/**
 * The gate every tool call passes after its scopes are checked: the tab's permission policy
 * decides, and `prompt` waits in the approval queue for the person at the tab.
 */
import type { ClientIdentity } from '@vial/shared';
import { ApprovalQueue, ApprovalRejected, type ApprovalPreview } from './approvals.ts';
import { MemoryPermissionStore, Permissions, type ToolAccess } from './permissions.ts';

export interface GatedCall {
  tool: string;
  access: ToolAccess | undefined;
  client: ClientIdentity;
  signal: AbortSignal;
  /** Builds what the person sees; only called when the call needs their approval. */
  preview(): Promise<ApprovalPreview>;
  /** Told when the call starts waiting for approval, so the Activity view can show it. */
  onWaiting(): void;
}

export type GateVerdict = { admitted: true } | { admitted: false; outcome: 'denied' | 'rejected'; message: string };

export class CallGate {
  constructor(
    readonly permissions: Permissions,
    readonly approvals: ApprovalQueue,
  ) {}

  /** A gate with the default policy and nothing persisted: for Node hosts and benchmarks. */
  static withDefaults(): CallGate {
    return new CallGate(new Permissions(new MemoryPermissionStore()), new ApprovalQueue());
  }

  async admit(call: GatedCall): Promise<GateVerdict> {
    const decision = this.permissions.decide(call);
    if (decision.kind === 'deny') return { admitted: false, outcome: 'denied', message: decision.reason };
    if (decision.kind === 'allow') return { admitted: true };
    const asking = { client: call.client.tokenName, clientId: call.client.tokenId, tool: call.tool };
    // A client with too many approvals waiting is refused before its preview costs anything.
    this.approvals.requireRoom(asking);
    // The preview may refuse the call itself (a tool checking its input before anyone is asked).
    const preview = await call.preview();
    call.onWaiting();
    try {
      await this.approvals.request({ ...asking, preview, signal: call.signal });
      return { admitted: true };
    } catch (error) {
      if (error instanceof ApprovalRejected) return { admitted: false, outcome: 'rejected', message: error.message };
      throw error;
    }
  }
}

const PREVIEW_ARGUMENT_CHARS = 2000;

/** The preview of a tool that writes none of its own: who asks, for what, with which arguments. */
export function argumentsPreview(tool: string, client: ClientIdentity, input: unknown): ApprovalPreview {
  const json = JSON.stringify(input ?? {}, null, 2);
  const shown =
    json.length > PREVIEW_ARGUMENT_CHARS
      ? `${json.slice(0, PREVIEW_ARGUMENT_CHARS)}\n… (${json.length} characters in all)`
      : json;
  return {
    summary: `${client.tokenName} wants to run ${tool}`,
    fields: [
      { label: 'Client', value: client.tokenName },
      { label: 'Tool', value: tool },
      { label: 'Arguments', value: shown },
    ],
  };
}
