/**
 * `wallet_sign_typed_data`: an EIP-712 signature (`eth_signTypedData_v4`) by the connected
 * wallet. The typed data is checked against its own types first (every field present, no field
 * the types do not sign, values that encode), so the person is only asked about data that the
 * signature would actually cover. The approval shows the domain, the primary type, a permit's
 * spender, amount and deadline, and the whole tree. What the person approved is what is signed:
 * the typed data checked for the preview, by the account and on the chain they saw
 * (`approvedCall.ts`). Typed data under Vial's export domain is refused (only `wallet_export`
 * signs that).
 */
import {
  getTypesForEIP712Domain,
  hashTypedData,
  validateTypedData,
  type Hex,
  type TypedDataDefinition,
  type TypedDataDomain,
} from 'viem';
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { describeChain } from '../../wallet/chains.ts';
import { wrongChain } from '../../wallet/errors.ts';
import type { ConnectedWallet, WalletService } from '../../wallet/walletService.ts';
import { ApprovedCalls, requireApprovedWallet, type ApprovedWallet } from './approvedCall.ts';
import { checkedAddress, connectedWallet } from '../../wallet/checks.ts';
import { EXPORT_DOMAIN, isExportDomain } from './exportBundle.ts';

export type { SignTypedDataOutput } from './outputs.ts';

const fieldSchema = z.object({ name: z.string().min(1), type: z.string().min(1) });
const typedDataSchema = z.object({
  domain: z
    .strictObject({
      name: z.string().optional(),
      version: z.string().optional(),
      chainId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).optional(),
      verifyingContract: z.string().optional(),
      salt: z
        .string()
        .regex(/^0x[0-9a-fA-F]{64}$/, '32 bytes as 0x hex')
        .optional(),
    })
    .describe('EIP-712 domain: name, version, chainId, verifyingContract, salt (any of them)'),
  types: z
    .record(z.string(), z.array(fieldSchema))
    .describe('Struct types, e.g. {"Mail":[{"name":"to","type":"address"}]}; EIP712Domain may be left out'),
  primaryType: z.string().min(1),
  message: z.record(z.string(), z.unknown()).describe('The primaryType struct; integers as decimal strings'),
});

export interface CheckedTypedData {
  typedData: TypedDataDefinition;
  /** The EIP-712 hash the wallet signs. */
  hash: Hex;
  chainId: number | undefined;
}

const messageOf = (error: unknown) =>
  (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error);

/** Parses and checks typed data (object or JSON text); throws a ToolError naming what is wrong. */
export function checkTypedData(raw: unknown): CheckedTypedData {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ToolError(`typed_data is text but not JSON: ${(error as Error).message}`);
    }
  }
  const parsed = typedDataSchema.safeParse(value);
  if (!parsed.success) {
    throw new ToolError('typed_data is not EIP-712 typed data', { details: z.prettifyError(parsed.error) });
  }
  const { types: given, primaryType, message } = parsed.data;
  const domain: TypedDataDomain = {
    ...parsed.data.domain,
    chainId: parsed.data.domain.chainId === undefined ? undefined : Number(parsed.data.domain.chainId),
    verifyingContract:
      parsed.data.domain.verifyingContract === undefined
        ? undefined
        : checkedAddress(parsed.data.domain.verifyingContract, 'domain.verifyingContract'),
    salt: parsed.data.domain.salt as Hex | undefined,
  };
  for (const key of Object.keys(domain) as Array<keyof TypedDataDomain>)
    if (domain[key] === undefined) delete domain[key];

  const { EIP712Domain: declaredDomain, ...types } = given;
  const domainFields = getTypesForEIP712Domain({ domain });
  if (declaredDomain && JSON.stringify(declaredDomain) !== JSON.stringify(domainFields)) {
    throw new ToolError('types.EIP712Domain does not match the domain', {
      details: `For this domain it must be ${JSON.stringify(domainFields)} (the domain's fields in EIP-712 order).`,
      hints: ['Or leave EIP712Domain out: it follows from the domain.'],
    });
  }
  if (!types[primaryType]) {
    throw new ToolError(`primaryType '${primaryType}' is not one of the types`, {
      hints: [`The types given: ${Object.keys(types).join(', ') || 'none'}.`],
    });
  }
  checkStruct(types, primaryType, message, 'message');
  // Checked above and by viem below; its generic types cannot follow types only known at run time.
  const typedData = { domain, types, primaryType, message } as unknown as TypedDataDefinition;
  try {
    validateTypedData(typedData);
    return { typedData, hash: hashTypedData(typedData), chainId: domain.chainId as number | undefined };
  } catch (error) {
    throw new ToolError(`typed_data does not encode: ${messageOf(error)}`, {
      hints: ['Give integers as decimal strings, addresses with a valid checksum or in lower case, bytes as 0x hex.'],
    });
  }
}

/** Every field of `type` present in `value` and nothing else, recursively through struct fields. */
function checkStruct(
  types: Record<string, Array<{ name: string; type: string }>>,
  type: string,
  value: unknown,
  path: string,
) {
  const fields = types[type]!;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ToolError(`${path} must be an object (a ${type})`);
  }
  const record = value as Record<string, unknown>;
  const names = new Set(fields.map((field) => field.name));
  const extra = Object.keys(record).filter((key) => !names.has(key));
  if (extra.length > 0) {
    throw new ToolError(`${path} has ${extra.map((key) => `'${key}'`).join(', ')}, which ${type} does not have`, {
      details: 'Fields outside the types are not signed, so they are refused rather than shown as if they were.',
      hints: [`${type} has: ${fields.map((field) => `${field.type} ${field.name}`).join(', ')}.`],
    });
  }
  for (const field of fields) {
    if (!(field.name in record)) throw new ToolError(`${path}.${field.name} (${field.type}) is missing`);
    const arrays = /^(\w+)((?:\[\d*\])*)$/.exec(field.type);
    const base = arrays?.[1];
    if (!base || !types[base]) continue;
    checkNested(types, base, arrays[2]!.length > 0, record[field.name], `${path}.${field.name}`);
  }
}

function checkNested(
  types: Record<string, Array<{ name: string; type: string }>>,
  type: string,
  isArray: boolean,
  value: unknown,
  path: string,
) {
  if (!isArray) return checkStruct(types, type, value, path);
  if (!Array.isArray(value)) throw new ToolError(`${path} must be an array of ${type}`);
  // Nested arrays (T[][]) are flattened: each leaf is still a T.
  value.flat(Infinity).forEach((item, index) => checkStruct(types, type, item, `${path}[${index}]`));
}

function requireChain(checked: CheckedTypedData, status: ConnectedWallet): void {
  if (checked.chainId !== undefined && checked.chainId !== status.chain.id)
    throw wrongChain(checked.chainId, status.chain.id);
}

export function createSignTypedDataTool(wallet: WalletService) {
  const approved = new ApprovedCalls<{ checked: CheckedTypedData; wallet: ApprovedWallet }>('wallet_sign_typed_data');
  return defineTool({
    name: 'wallet_sign_typed_data',
    title: 'Sign typed data (EIP-712)',
    description:
      "Asks the person to sign EIP-712 typed data with their connected wallet (eth_signTypedData_v4), e.g. a permit or an off-chain order. The data is checked against its types before anyone is asked; the person approves in the Vial tab, seeing the domain, the primary type and the whole message, then confirms in their wallet. If the domain has a chainId, the wallet must be on that chain. Returns the signature, the signing address and the EIP-712 hash; verify with viem's verifyTypedData.",
    scopes: ['wallet:sign'],
    access: 'sign',
    input: z.strictObject({
      typed_data: z
        .union([z.string().min(2).max(200_000), typedDataSchema])
        .describe('{ domain, types, primaryType, message }, as an object or as JSON text'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    preview: async ({ typed_data }, context) => {
      const { client } = context;
      const checked = checkTypedData(typed_data);
      if (isExportDomain(checked.typedData.domain)) {
        throw new ToolError(`wallet_sign_typed_data refuses typed data under the "${EXPORT_DOMAIN.name}" domain`, {
          details:
            'Signed, it would pass as a signed export of the wallet; only wallet_export signs under that domain.',
          hints: ['Call wallet_export to export the wallet, signed.'],
        });
      }
      const status = await connectedWallet(wallet);
      requireChain(checked, status);
      approved.keep(context, { checked, wallet: { account: status.address, chainId: status.chain.id } });
      const { domain, primaryType, types, message } = checked.typedData;
      // Fetched with the first typed data to preview, keeping permit decoding out of the first paint.
      const { permitFields } = await import('./permitFields.ts');
      const permit = permitFields(checked.typedData);
      return {
        summary:
          `${client.tokenName} asks you to sign ${primaryType} data for ${domain?.name ?? 'an unnamed domain'} with ${status.address}` +
          (permit.length > 0 ? ': a permit, which lets the spender below move your tokens without asking again' : ''),
        fields: [
          { label: 'Client', value: client.tokenName },
          { label: 'Signing address', value: status.address },
          ...permit,
          {
            label: 'Domain',
            value: [domain?.name ?? '(no name)', domain?.version && `version ${domain.version}`]
              .filter(Boolean)
              .join(', '),
          },
          { label: 'Chain', value: domain?.chainId === undefined ? 'not set' : describeChain(Number(domain.chainId)) },
          { label: 'Verifying contract', value: domain?.verifyingContract ?? 'not set' },
          { label: 'Primary type', value: primaryType },
        ],
        detail: { domain, primaryType, message, types },
      };
    },
    run: async (_input, context) => {
      const { checked, wallet: seen } = approved.take(context);
      // The domain's chain, when set, was the wallet's at the preview; the wallet must still be on it.
      const status = await requireApprovedWallet(wallet, seen, 'wallet_sign_typed_data', 'signed');
      const signature = await wallet.signTypedData({ account: status.address, typedData: checked.typedData });
      return jsonResult({
        signature,
        address: status.address,
        hash: checked.hash,
        primaryType: checked.typedData.primaryType,
      });
    },
  });
}
