/**
 * Whether this browser had a wallet connected when the tab last ran. The wallet code (wagmi and
 * viem) loads only when the wallet is used; this flag lets a reload load it at once and reconnect,
 * without loading it for people who never connect one.
 */
const CONNECTED_KEY = 'vial.wallet.connected';

export function wasConnected(storage: Pick<Storage, 'getItem'>): boolean {
  return storage.getItem(CONNECTED_KEY) === 'yes';
}

export function rememberConnected(storage: Pick<Storage, 'setItem' | 'removeItem'>, connected: boolean): void {
  if (connected) storage.setItem(CONNECTED_KEY, 'yes');
  else storage.removeItem(CONNECTED_KEY);
}
