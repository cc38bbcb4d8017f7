/**
 * The ERC-20 the wallet tests use: `tests/fixtures/erc20/VialTestToken.sol` (name "Vial Test
 * Token", symbol vTEST, 6 decimals), deployed from its committed compile output.
 */
import { readFileSync } from 'node:fs';
import type { Abi, Address, Hex } from 'viem';
import { z } from 'zod';
import type { ChainClients } from './clients.ts';

const ARTIFACT_URL = new URL('../../fixtures/erc20/VialTestToken.json', import.meta.url);

const ArtifactSchema = z.object({
  contractName: z.literal('VialTestToken'),
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  abi: z.array(z.looseObject({ type: z.string() })),
  bytecode: z.string().regex(/^0x[0-9a-f]+$/),
});

const artifact = ArtifactSchema.parse(JSON.parse(readFileSync(ARTIFACT_URL, 'utf8')));

export const TEST_TOKEN = {
  // The schema checks the ABI's outline; solc wrote it, so its entries are trusted to be well formed.
  abi: artifact.abi as unknown as Abi,
  bytecode: artifact.bytecode as Hex,
  /** SHA-256 of the source the artifact was compiled from; compare to tell if it is stale. */
  sourceSha256: artifact.sourceSha256,
  decimals: 6,
  symbol: 'vTEST',
};

export interface DeployTestTokenOptions {
  /** Smallest units (6 decimals: 1 vTEST is 1_000_000n), all minted to the deployer. */
  supply: bigint;
}

export interface DeployedTestToken {
  address: Address;
  abi: Abi;
  /** The account that holds the whole supply after deployment: the wallet client's. */
  holder: Address;
}

/** Deploys a fresh token from `clients.wallet`'s account and waits for it to be mined. */
export async function deployTestToken(
  clients: ChainClients,
  options: DeployTestTokenOptions,
): Promise<DeployedTestToken> {
  const hash = await clients.wallet.deployContract({
    abi: TEST_TOKEN.abi,
    bytecode: TEST_TOKEN.bytecode,
    args: [options.supply],
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new Error(`VialTestToken deployment failed (transaction ${hash}, status ${receipt.status})`);
  }
  return { address: receipt.contractAddress, abi: TEST_TOKEN.abi, holder: clients.wallet.account.address };
}
