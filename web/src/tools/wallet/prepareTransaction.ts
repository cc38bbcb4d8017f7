/**
 * Turns `web3_transaction`'s input into the transaction to send, refusing with a ToolError
 * whatever would make it fail or surprise the person: bad addresses and amounts, an unknown
 * chain, a malformed ABI or call, and a balance that cannot cover the amount and the fee. It
 * runs once, for the approval preview (so nobody is asked about a transaction that cannot go
 * through), and what it returns is what is sent: the chain, when the caller names none, is the
 * wallet's at that moment and stays so. A balance that moved while the person looked is the
 * wallet's and the node's to refuse.
 */
import {
  decodeFunctionData,
  encodeFunctionData,
  erc20Abi,
  formatUnits,
  toFunctionSignature,
  type Address,
  type Hex,
} from 'viem';
import { ToolError } from '../../server/toolError.ts';
import { describeChain, supportedChain } from '../../wallet/chains.ts';
import type { FeeEstimate, TransactionRequest, WalletService } from '../../wallet/walletService.ts';
import { checkedCall, parseAbiInput, shortMessage } from './abi.ts';
import {
  checkedAddress,
  checkedAmount,
  checkedChain,
  checkedChainInput,
  connectedWallet,
} from '../../wallet/checks.ts';

export interface TransactionInput {
  chain?: number | string;
  to?: string;
  amount?: string;
  token_contract?: string;
  contract?: string;
  abi?: string | unknown[];
  function?: string;
  args: unknown[];
  value?: string;
}

export interface Currency {
  symbol: string;
  decimals: number;
}

export interface PreparedTransaction {
  kind: 'native' | 'erc20' | 'call';
  request: TransactionRequest;
  /** The wallet's chain now; the wallet is asked to switch when it is not `request.chainId`. */
  walletChainId: number;
  /** Who receives the amount: the recipient of a transfer, or the contract called. */
  recipient: Address;
  /** What is sent, in the smallest unit of `currency` (for a call, the native value). */
  amount: bigint;
  currency: Currency;
  native: Currency;
  estimate: FeeEstimate;
  /** For a contract call: the function and its arguments, decoded back from the calldata. */
  call?: { signature: string; args: readonly unknown[] };
}

interface Payload {
  kind: PreparedTransaction['kind'];
  to: Address;
  recipient: Address;
  data?: Hex;
  value: bigint;
  amount: bigint;
  currency: Currency;
  call?: PreparedTransaction['call'];
}

/** "12.5 vTEST": `units` of the smallest unit in whole units with the symbol. */
export const formatAmount = (units: bigint, currency: Currency) =>
  `${formatUnits(units, currency.decimals)} ${currency.symbol}`;

export async function prepareTransaction(wallet: WalletService, input: TransactionInput): Promise<PreparedTransaction> {
  const kind = transactionKind(input);
  const status = await connectedWallet(wallet);
  const chainId = input.chain === undefined ? checkedChain(status.chain.id) : checkedChainInput(input.chain);
  const from = status.address;
  const native = supportedChain(chainId)!.nativeCurrency;
  const payload =
    kind === 'native'
      ? nativeTransfer(input, native)
      : kind === 'erc20'
        ? await tokenTransfer(wallet, input, chainId, from)
        : contractCall(input, native);

  const request: TransactionRequest = {
    chainId,
    account: from,
    to: payload.to,
    data: payload.data,
    value: payload.value,
  };
  const balance = await wallet.getBalance({ chainId, address: from });
  const estimate = await estimateFee(wallet, request, balance);
  if (balance < payload.value + estimate.fee) {
    const needs =
      payload.value > 0n
        ? `${formatAmount(payload.value, native)} plus an estimated fee of up to ${formatAmount(estimate.fee, native)}`
        : `an estimated fee of up to ${formatAmount(estimate.fee, native)}`;
    throw new ToolError(
      `Insufficient funds: ${from} has ${formatAmount(balance, native)} on ${describeChain(chainId)}, but this needs ${needs}`,
      { hints: [`Fund the wallet with ${native.symbol} on ${describeChain(chainId)}, or send less.`] },
    );
  }
  const { recipient, amount, currency, call } = payload;
  return { kind, recipient, amount, currency, call, request, walletChainId: status.chain.id, native, estimate };
}

function transactionKind(input: TransactionInput): PreparedTransaction['kind'] {
  const given = (keys: Array<keyof TransactionInput>) => keys.filter((key) => input[key] !== undefined);
  if (input.contract !== undefined) {
    const transferOnly = given(['to', 'amount', 'token_contract']);
    if (transferOnly.length > 0) {
      throw new ToolError(`A contract call takes no ${transferOnly.join(' or ')}`, {
        hints: [
          'Call a contract with contract, abi, function, args and optional value; or transfer with to and amount.',
        ],
      });
    }
    const missing = (['abi', 'function'] as const).filter((key) => input[key] === undefined);
    if (missing.length > 0) throw new ToolError(`A contract call needs ${missing.join(' and ')}`);
    return 'call';
  }
  const callOnly = given(['abi', 'function', 'value']);
  if (callOnly.length > 0 || input.args.length > 0) {
    throw new ToolError(`${[...callOnly, ...(input.args.length > 0 ? ['args'] : [])].join(', ')} need contract`, {
      hints: ['Give contract for a contract call; a transfer takes to and amount (and token_contract for ERC-20).'],
    });
  }
  const missing = (['to', 'amount'] as const).filter((key) => input[key] === undefined);
  if (missing.length > 0) throw new ToolError(`A transfer needs ${missing.join(' and ')}`);
  return input.token_contract === undefined ? 'native' : 'erc20';
}

function nativeTransfer(input: TransactionInput, native: Currency): Payload {
  const to = checkedAddress(input.to!, 'to');
  const amount = checkedAmount(input.amount!, native, 'amount');
  return { kind: 'native', to, recipient: to, value: amount, amount, currency: native };
}

async function tokenTransfer(
  wallet: WalletService,
  input: TransactionInput,
  chainId: number,
  from: Address,
): Promise<Payload> {
  const token = checkedAddress(input.token_contract!, 'token_contract');
  const recipient = checkedAddress(input.to!, 'to');
  const read = (functionName: 'symbol' | 'decimals' | 'balanceOf', args: readonly unknown[] = []) =>
    wallet.readContract({ chainId, address: token, abi: erc20Abi, functionName, args });
  let currency: Currency;
  try {
    const [symbol, decimals] = await Promise.all([read('symbol'), read('decimals')]);
    currency = { symbol: String(symbol), decimals: Number(decimals) };
  } catch (error) {
    throw new ToolError(
      `token_contract ${token} is not readable as an ERC-20 on ${describeChain(chainId)}: ${shortMessage(error)}`,
      { hints: ['Check the token address and the chain.'] },
    );
  }
  const amount = checkedAmount(input.amount!, currency, 'amount');
  const held = (await read('balanceOf', [from])) as bigint;
  if (held < amount) {
    throw new ToolError(
      `Insufficient ${currency.symbol}: ${from} has ${formatAmount(held, currency)} on ${describeChain(chainId)}, but the transfer is ${formatAmount(amount, currency)}`,
    );
  }
  const data = encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [recipient, amount] });
  return { kind: 'erc20', to: token, recipient, data, value: 0n, amount, currency };
}

function contractCall(input: TransactionInput, native: Currency): Payload {
  const contract = checkedAddress(input.contract!, 'contract');
  const item = checkedCall(parseAbiInput(input.abi!), input.function!, input.args, 'write');
  const value = input.value === undefined ? 0n : checkedAmount(input.value, native, 'value');
  if (value > 0n && item.stateMutability !== 'payable') {
    throw new ToolError(`'${toFunctionSignature(item)}' is ${item.stateMutability}: it cannot take a value`, {
      hints: ['Leave value out, or call a payable function.'],
    });
  }
  const data = encodeFunctionData({ abi: [item], functionName: item.name, args: input.args });
  // Decoded back from the calldata, so the preview shows what is sent rather than what was asked.
  const decoded = decodeFunctionData({ abi: [item], data });
  const call = { signature: toFunctionSignature(item), args: decoded.args ?? [] };
  return { kind: 'call', to: contract, recipient: contract, data, value, amount: value, currency: native, call };
}

/**
 * The node's gas estimate and fee. A node will not estimate a transfer of more than the balance,
 * so then the gas is estimated without the value (which rarely changes it) to still name the
 * fee in the insufficient-funds error.
 */
async function estimateFee(wallet: WalletService, request: TransactionRequest, balance: bigint) {
  const estimated = request.value > balance ? { ...request, value: 0n } : request;
  try {
    return await wallet.estimate(estimated);
  } catch (error) {
    throw new ToolError(
      `The node refuses this transaction on ${describeChain(request.chainId)}: ${shortMessage(error)}`,
      {
        hints: ['It would most likely fail on chain: check the recipient, the amount and the arguments.'],
      },
    );
  }
}
