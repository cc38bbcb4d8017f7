/**
 * What a permit signature gives away, as approval fields up front: who may spend (spender), how
 * much of which token (amount), and until when (deadline, and Permit2's allowance expiry). A
 * permit is a signature that lets the spender move tokens without another transaction, so these
 * three must not hide in the collapsed typed-data tree.
 *
 * Recognised: EIP-2612 `Permit` (owner, spender, value, nonce, deadline; the token is the domain's
 * verifying contract), DAI's `Permit` (holder, spender, nonce, expiry, allowed), and Uniswap's
 * Permit2 `PermitSingle` / `PermitBatch` (details, spender, sigDeadline) and
 * `Permit(Batch)(Witness)TransferFrom` (permitted, spender, nonce, deadline).
 */
import type { TypedDataDefinition } from 'viem';

type Field = { label: string; value: string };
type Message = Record<string, unknown>;

const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_UINT160 = 2n ** 160n - 1n;
/** Permit2's "never expires" for expirations and deadlines (uint48). */
const MAX_UINT48 = 2n ** 48n - 1n;

const asObject = (value: unknown): Message | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Message) : undefined;

function asInteger(value: unknown): bigint | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return undefined;
  try {
    return BigInt(value);
  } catch {
    return undefined;
  }
}

/** An amount as given, flagged when it is the largest a permit can name (an unlimited allowance). */
export function describeAmount(value: unknown): string {
  const amount = asInteger(value);
  if (amount === undefined) return String(value);
  if (amount === MAX_UINT256) return `${amount} (unlimited: 2^256 − 1)`;
  if (amount === MAX_UINT160) return `${amount} (unlimited: 2^160 − 1, Permit2's maximum)`;
  return `${amount} (in the token's smallest unit)`;
}

/** A Unix time in seconds as a UTC date, or "never" for the values that mean no end. */
export function describeDeadline(value: unknown): string {
  const seconds = asInteger(value);
  if (seconds === undefined) return String(value);
  if (seconds >= MAX_UINT48) return `${seconds} (never)`;
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds}` : `${seconds} (${date.toISOString().replace('.000Z', 'Z')})`;
}

/** The spender, amount and deadline fields of a permit; none for other typed data. */
export function permitFields(typedData: TypedDataDefinition): Field[] {
  const { primaryType } = typedData;
  const message = asObject(typedData.message);
  if (!message || typeof primaryType !== 'string' || !/^Permit/.test(primaryType)) return [];
  const fields: Field[] = [];
  const add = (label: string, value: unknown, describe: (value: unknown) => string = String) => {
    if (value !== undefined) fields.push({ label, value: describe(value) });
  };

  add('Spender', message.spender);
  if ('details' in message) {
    // Permit2 allowance: PermitSingle (one PermitDetails) or PermitBatch (a list of them).
    const details = (Array.isArray(message.details) ? message.details : [message.details]).map(asObject);
    details.forEach((detail, index) => {
      const which = details.length > 1 ? ` ${index + 1}` : '';
      add(`Token${which}`, detail?.token);
      add(`Amount${which}`, detail?.amount, describeAmount);
      add(`Allowance expires${which}`, detail?.expiration, describeDeadline);
    });
    add('Signature deadline', message.sigDeadline, describeDeadline);
  } else if ('permitted' in message) {
    // Permit2 signature transfer: TokenPermissions, or a list of them.
    const permitted = (Array.isArray(message.permitted) ? message.permitted : [message.permitted]).map(asObject);
    permitted.forEach((permission, index) => {
      const which = permitted.length > 1 ? ` ${index + 1}` : '';
      add(`Token${which}`, permission?.token);
      add(`Amount${which}`, permission?.amount, describeAmount);
    });
    add('Deadline', message.deadline, describeDeadline);
  } else {
    // EIP-2612 (value, deadline) or DAI (allowed, expiry): the token is the domain's contract.
    add('Token', typedData.domain?.verifyingContract);
    if ('value' in message) add('Amount', message.value, describeAmount);
    if ('allowed' in message) {
      add(
        'Amount',
        message.allowed === true || message.allowed === 'true' ? 'unlimited (allowed: true)' : 'none (allowed: false)',
      );
    }
    if ('deadline' in message) add('Deadline', message.deadline, describeDeadline);
    if ('expiry' in message) {
      add('Deadline', message.expiry, (value) => (asInteger(value) === 0n ? '0 (never)' : describeDeadline(value)));
    }
  }
  return fields;
}
