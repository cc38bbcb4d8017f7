import { describe, expect, it } from 'vitest';
import { MemoryPermissionStore, Permissions, permissionSettingsSchema } from './permissions.ts';

const client = { tokenId: 't1', tokenName: 'Cursor', scopes: [] };
const other = { tokenId: 't2', tokenName: 'Claude', scopes: [] };

async function loaded(now = () => 0) {
  const store = new MemoryPermissionStore();
  const permissions = new Permissions(store, now);
  await permissions.load();
  return { store, permissions };
}

describe('permissions', () => {
  it('defaults: read and compute allow, sign prompts, a tool that does not say is denied', async () => {
    const { permissions } = await loaded();
    expect(permissions.decide({ tool: 'a', access: 'read', client })).toEqual({ kind: 'allow' });
    expect(permissions.decide({ tool: 'b', access: 'compute', client })).toEqual({ kind: 'allow' });
    expect(permissions.decide({ tool: 'c', access: 'sign', client })).toEqual({ kind: 'prompt' });
    const unknown = permissions.decide({ tool: 'mystery', access: undefined, client });
    expect(unknown).toMatchObject({
      kind: 'deny',
      reason: expect.stringContaining("'mystery' does not say what it does"),
    });
  });

  it('applies and persists the person’s choices, naming the policy when it denies', async () => {
    const { store, permissions } = await loaded();
    await permissions.setPolicy('quantum_simulate', 'compute', 'deny');
    await permissions.setPolicy('system_diagnostics', 'read', 'prompt');
    const denied = permissions.decide({ tool: 'quantum_simulate', access: 'compute', client });
    expect(denied).toMatchObject({ kind: 'deny', reason: expect.stringContaining('is set to deny') });
    expect(permissions.decide({ tool: 'system_diagnostics', access: 'read', client })).toEqual({ kind: 'prompt' });

    const reopened = new Permissions(store);
    await reopened.load();
    expect(reopened.policyFor('quantum_simulate', 'compute')).toBe('deny');
    // Going back to the default drops the entry rather than pinning it.
    await reopened.setPolicy('quantum_simulate', 'compute', 'allow');
    expect(reopened.current().tools).toEqual({ system_diagnostics: 'prompt' });
  });

  it('never lets a signing tool run unattended', async () => {
    const { permissions, store } = await loaded();
    await expect(permissions.setPolicy('wallet_sign_message', 'sign', 'allow')).rejects.toThrow(
      /cannot be set to allow/,
    );
    // Even a stored `allow` (an old build, DevTools) is ignored for a signing tool.
    await store.save({
      tools: { wallet_sign_message: 'allow' },
      computeCallsPerMinute: 600,
      approvalTimeoutSeconds: 120,
    });
    await permissions.load();
    expect(permissions.policyFor('wallet_sign_message', 'sign')).toBe('prompt');
  });

  it('keeps the approval timeout the person sets, refuses nonsense, and gives old settings 2 min', async () => {
    const { permissions, store } = await loaded();
    expect(permissions.approvalTimeoutMs()).toBe(120_000);
    await permissions.setApprovalTimeoutSeconds(30);
    expect(permissions.approvalTimeoutMs()).toBe(30_000);
    expect((await store.load())?.approvalTimeoutSeconds).toBe(30);
    await expect(permissions.setApprovalTimeoutSeconds(0)).rejects.toThrow(/from 1 to 3600, not 0/);
    await expect(permissions.setApprovalTimeoutSeconds(2.5)).rejects.toThrow(/whole number/);
    expect(permissionSettingsSchema.parse({ tools: {}, computeCallsPerMinute: 600 }).approvalTimeoutSeconds).toBe(120);
  });

  it('limits compute calls per client per minute, and says when to retry', async () => {
    let now = 1_000_000;
    const { permissions } = await loaded(() => now);
    await permissions.setComputeCallsPerMinute(3);
    for (let i = 0; i < 3; i++) expect(permissions.decide({ tool: 'q', access: 'compute', client }).kind).toBe('allow');
    now += 20_000;
    const limited = permissions.decide({ tool: 'q', access: 'compute', client });
    expect(limited).toMatchObject({
      kind: 'deny',
      reason: expect.stringContaining('limit of 3 compute calls per minute'),
    });
    expect(limited).toMatchObject({ reason: expect.stringContaining('Retry in 40 s') });
    // Another client has its own budget; read tools are not counted.
    expect(permissions.decide({ tool: 'q', access: 'compute', client: other }).kind).toBe('allow');
    expect(permissions.decide({ tool: 'r', access: 'read', client }).kind).toBe('allow');
    now += 40_001;
    expect(permissions.decide({ tool: 'q', access: 'compute', client }).kind).toBe('allow');
  });

  it('rejects a rate limit that is not a whole number in range', async () => {
    const { permissions } = await loaded();
    await expect(permissions.setComputeCallsPerMinute(0)).rejects.toThrow(/whole number from 1 to 100000, not 0/);
    await expect(permissions.setComputeCallsPerMinute(2.5)).rejects.toThrow(/not 2.5/);
  });
});
