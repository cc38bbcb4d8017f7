import type { TypedDataDefinition } from 'viem';
import { describe, expect, it } from 'vitest';
import { describeAmount, describeDeadline, permitFields } from './permitFields.ts';

const SPENDER = '0x70997970C51812dc3a010c7d01b50E9D17DC79C8';
const OWNER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PERMIT2 = '0x000000000022D473030F116dDEE9F6B43aC78BA3';
const MAX_UINT256 = (2n ** 256n - 1n).toString();
const MAX_UINT160 = (2n ** 160n - 1n).toString();

const typed = (value: object) => value as unknown as TypedDataDefinition;

describe('permitFields', () => {
  it('EIP-2612 Permit: spender, the token (the domain contract), an unlimited amount and the deadline', () => {
    const fields = permitFields(
      typed({
        domain: { name: 'USD Coin', version: '2', chainId: 1, verifyingContract: TOKEN },
        primaryType: 'Permit',
        message: { owner: OWNER, spender: SPENDER, value: MAX_UINT256, nonce: '0', deadline: '1767225600' },
      }),
    );
    expect(fields).toEqual([
      { label: 'Spender', value: SPENDER },
      { label: 'Token', value: TOKEN },
      { label: 'Amount', value: `${MAX_UINT256} (unlimited: 2^256 − 1)` },
      { label: 'Deadline', value: '1767225600 (2026-01-01T00:00:00Z)' },
    ]);
  });

  it('DAI Permit: allowed true is unlimited, expiry 0 is never', () => {
    const fields = permitFields(
      typed({
        domain: { name: 'Dai Stablecoin', version: '1', chainId: 1, verifyingContract: TOKEN },
        primaryType: 'Permit',
        message: { holder: OWNER, spender: SPENDER, nonce: '3', expiry: '0', allowed: true },
      }),
    );
    expect(fields).toEqual([
      { label: 'Spender', value: SPENDER },
      { label: 'Token', value: TOKEN },
      { label: 'Amount', value: 'unlimited (allowed: true)' },
      { label: 'Deadline', value: '0 (never)' },
    ]);
  });

  it('Permit2 PermitSingle: token, amount and allowance expiry from details, and the signature deadline', () => {
    const fields = permitFields(
      typed({
        domain: { name: 'Permit2', chainId: 1, verifyingContract: PERMIT2 },
        primaryType: 'PermitSingle',
        message: {
          details: { token: TOKEN, amount: MAX_UINT160, expiration: (2n ** 48n - 1n).toString(), nonce: '0' },
          spender: SPENDER,
          sigDeadline: '1767225600',
        },
      }),
    );
    expect(fields).toEqual([
      { label: 'Spender', value: SPENDER },
      { label: 'Token', value: TOKEN },
      { label: 'Amount', value: `${MAX_UINT160} (unlimited: 2^160 − 1, Permit2's maximum)` },
      { label: 'Allowance expires', value: `${2n ** 48n - 1n} (never)` },
      { label: 'Signature deadline', value: '1767225600 (2026-01-01T00:00:00Z)' },
    ]);
  });

  it('Permit2 PermitBatch and PermitBatchTransferFrom number each token', () => {
    const batch = permitFields(
      typed({
        primaryType: 'PermitBatch',
        message: {
          details: [
            { token: TOKEN, amount: '5', expiration: '1767225600', nonce: '0' },
            { token: SPENDER, amount: '7', expiration: '1767225600', nonce: '0' },
          ],
          spender: OWNER,
          sigDeadline: '1767225600',
        },
      }),
    );
    expect(batch.map((field) => field.label)).toEqual([
      'Spender',
      'Token 1',
      'Amount 1',
      'Allowance expires 1',
      'Token 2',
      'Amount 2',
      'Allowance expires 2',
      'Signature deadline',
    ]);
    expect(batch[2]).toEqual({ label: 'Amount 1', value: "5 (in the token's smallest unit)" });

    const transfer = permitFields(
      typed({
        primaryType: 'PermitWitnessTransferFrom',
        message: { permitted: { token: TOKEN, amount: '1000' }, spender: SPENDER, nonce: '1', deadline: '1767225600' },
      }),
    );
    expect(transfer).toEqual([
      { label: 'Spender', value: SPENDER },
      { label: 'Token', value: TOKEN },
      { label: 'Amount', value: "1000 (in the token's smallest unit)" },
      { label: 'Deadline', value: '1767225600 (2026-01-01T00:00:00Z)' },
    ]);
  });

  it('adds nothing for typed data that is not a permit', () => {
    expect(permitFields(typed({ primaryType: 'Mail', message: { spender: SPENDER } }))).toEqual([]);
  });
});

describe('describeAmount and describeDeadline', () => {
  it('show text that is not an integer as it is', () => {
    expect(describeAmount('lots')).toBe('lots');
    expect(describeDeadline('soon')).toBe('soon');
  });
});
