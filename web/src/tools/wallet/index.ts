import type { ToolPack } from '../../server/toolRegistry.ts';
import type { SentTransactionLog } from '../../wallet/sentTransactions.ts';
import type { WalletService } from '../../wallet/walletService.ts';
import { createExportTool } from './export.ts';
import { verifyExportTool } from './exportVerify.ts';
import { createReadContractTool } from './readContract.ts';
import { createSignMessageTool } from './signMessage.ts';
import { createSignTypedDataTool } from './signTypedData.ts';
import { createStatusTool, createWalletResource } from './status.ts';
import { createTransactionTool } from './transaction.ts';

export interface WalletPackDependencies {
  wallet: WalletService;
  /** Where `web3_transaction` records what it sent, for `wallet_status`, `wallet_export` and the Wallet view. */
  transactions: SentTransactionLog;
}

export function createWalletPack(deps: WalletPackDependencies): ToolPack {
  return {
    name: 'wallet',
    tools: [
      createStatusTool(deps.wallet, deps.transactions),
      createReadContractTool(deps.wallet),
      createSignMessageTool(deps.wallet),
      createSignTypedDataTool(deps.wallet),
      createTransactionTool(deps.wallet, deps.transactions),
      createExportTool(deps.wallet, deps.transactions),
      verifyExportTool,
    ],
    resources: [createWalletResource(deps.wallet, deps.transactions)],
  };
}
