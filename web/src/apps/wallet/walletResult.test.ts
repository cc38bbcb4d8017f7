import { describe, expect, it } from 'vitest';
import { explorerLink, receiptFigures, walletAppOutput } from './walletResult.ts';

const HASH = `0x${'ab'.repeat(32)}` as const;
const ADDRESS = `0x${'12'.repeat(20)}` as const;

describe('the wallet app', () => {
  it('reads a receipt and a status each with its own tool schema, and nothing else', () => {
    const receipt = {
      hash: HASH,
      chainId: 31337,
      status: 'success',
      blockNumber: '7',
      gasUsed: '21000',
      effectiveGasPrice: '1000000000',
      from: ADDRESS,
      to: ADDRESS,
    };
    expect(walletAppOutput.parse(receipt)).toEqual(receipt);
    expect(walletAppOutput.parse({ connected: false, recentTransactions: [] })).toEqual({
      connected: false,
      recentTransactions: [],
    });
    expect(walletAppOutput.safeParse({ ...receipt, connected: true }).success).toBe(false);
    expect(walletAppOutput.safeParse({ hash: 'nope' }).success).toBe(false);
  });

  it('works out the fee from gas used and the effective gas price', () => {
    expect(receiptFigures({ gasUsed: '21000', effectiveGasPrice: '1500000000' })).toEqual({
      fee: '0.0000315',
      gasPriceGwei: '1.5',
    });
  });

  it('offers https explorer links (and http on loopback) only', () => {
    expect(explorerLink(`https://etherscan.io/tx/${HASH}`)).toBe(`https://etherscan.io/tx/${HASH}`);
    expect(explorerLink('http://localhost:5100/tx/1')).toBe('http://localhost:5100/tx/1');
    for (const url of [undefined, 'javascript:alert(1)', 'http://example.com/tx/1', 'data:text/html,hi', 'not a url']) {
      expect(explorerLink(url)).toBeUndefined();
    }
  });
});
