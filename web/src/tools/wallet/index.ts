import type { ToolPack } from '../../host/registry.ts';
import type { WalletService } from '../../wallet/service.ts';
import { createReadContractTool } from './readContract.ts';
import { createSignMessageTool } from './signMessage.ts';
import { createSignTypedDataTool } from './signTypedData.ts';
import { createStatusTool, createWalletResource } from './status.ts';
import { createTransactionTool } from './transaction.ts';

export interface WalletPackDependencies {
  wallet: WalletService;
}

export function createWalletPack(deps: WalletPackDependencies): ToolPack {
  return {
    name: 'wallet',
    tools: [
      createStatusTool(deps.wallet),
      createReadContractTool(deps.wallet),
      createSignMessageTool(deps.wallet),
      createSignTypedDataTool(deps.wallet),
      createTransactionTool(deps.wallet),
    ],
    resources: [createWalletResource(deps.wallet)],
  };
}
