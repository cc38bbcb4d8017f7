/**
 * Anvil's well-known development accounts. The chain is started with this mnemonic, so these
 * accounts are funded there by construction (10 of them, 10 000 ETH each). They are public test
 * keys: never send anything of value to them on a real network.
 */
import { mnemonicToAccount, type HDAccount } from 'viem/accounts';

export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEV_ACCOUNT_COUNT = 10;

// Deriving one key costs ~40 ms (PBKDF2), so each is derived on first use only.
const derived = new Map<number, HDAccount>();

/** Dev account `index` (0 is `0xf39F…2266`), a viem local account that signs in this process. */
export function devAccount(index = 0): HDAccount {
  if (!Number.isInteger(index) || index < 0 || index >= DEV_ACCOUNT_COUNT) {
    throw new RangeError(`dev account ${index} does not exist; anvil funds indexes 0 to ${DEV_ACCOUNT_COUNT - 1}`);
  }
  let account = derived.get(index);
  if (!account) {
    account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
    derived.set(index, account);
  }
  return account;
}
