/**
 * A real local Ethereum node for tests: anvil from the `@foundry-rs/anvil` npm package (its
 * platform package ships the binary, so nothing downloads at test time).
 *
 *   const chain = await startAnvil();           // free port, chain 31337, automine
 *   chain.clients.public / .wallet / .test      // viem clients; wallet signs as devAccount(0)
 *   await deployTestToken(chain.clients, { supply: 1_000_000n * 10n ** 6n });
 *   await chain.stop();
 *
 * Each transaction is mined at once (automine), so a receipt is there as soon as it is sent.
 * The dev accounts come from `DEV_MNEMONIC` (see devAccounts.ts), funded with 10 000 ETH each.
 *
 * No orphans: anvil runs under a small `sh` watchdog that reads this process's pipe and kills
 * anvil when the pipe closes, which happens however this process ends (a crash, a test runner
 * killing its worker with SIGKILL, or `stop()`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chainClients, type ChainClients } from './clients.ts';
import { DEV_ACCOUNT_COUNT, DEV_MNEMONIC } from './devAccounts.ts';

export interface StartAnvilOptions {
  /** Default 31337 (what wallets and viem's `anvil` chain expect). */
  chainId?: number;
  /** Seconds between blocks; unset means automine (a block per transaction). */
  blockTime?: number;
  /** How long to wait for the JSON-RPC to answer before failing. */
  startTimeoutMs?: number;
}

export interface Anvil {
  rpcUrl: string;
  chainId: number;
  clients: ChainClients;
  /** Ends anvil and waits until it has gone. Safe to call twice. */
  stop(): Promise<void>;
}

const PLATFORM_PACKAGE_ARCH: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/**
 * The native binary inside the platform package. Spawning it directly, rather than the
 * package's `bin.mjs` launcher, saves a Node start and leaves no launcher to outlive.
 * `VIAL_ANVIL_BIN` points at another anvil (e.g. a Foundry install) where the package has none.
 */
export function anvilBinary(): string {
  const override = process.env.VIAL_ANVIL_BIN;
  if (override) {
    if (!existsSync(override)) throw new Error(`VIAL_ANVIL_BIN is ${override}, but no file is there`);
    return override;
  }
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${PLATFORM_PACKAGE_ARCH[process.arch] ?? process.arch}`;
  const binary = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  try {
    const wrapper = createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json');
    return createRequire(wrapper).resolve(`${platformPackage}/bin/${binary}`);
  } catch {
    throw new Error(
      `anvil binary not found: ${platformPackage} is not installed. Run \`npx -y pnpm@10 install --frozen-lockfile\`; ` +
        `the lockfile carries the linux-x64 binary only, so elsewhere install Foundry and set VIAL_ANVIL_BIN to its anvil.`,
    );
  }
}

// Runs anvil in the background and waits on stdin; EOF (the parent is gone or called stop) ends it.
const WATCHDOG = '"$@" & anvil=$!; cat >/dev/null; kill "$anvil" 2>/dev/null; wait "$anvil"';

export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337;
  const args = ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(chainId)];
  args.push('--mnemonic', DEV_MNEMONIC, '--accounts', String(DEV_ACCOUNT_COUNT));
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime));

  const child = spawn('sh', ['-c', WATCHDOG, 'anvil-watchdog', anvilBinary(), ...args], { stdio: 'pipe' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      child.stdin.end();
      await exited;
    })();
    return stopping;
  };

  try {
    const port = await listeningPort(child, options.startTimeoutMs ?? 10_000);
    const rpcUrl = `http://127.0.0.1:${port}`;
    const clients = chainClients(rpcUrl, chainId);
    const answered = await clients.public.getChainId();
    if (answered !== chainId) throw new Error(`anvil answered chain id ${answered}, expected ${chainId}`);
    return { rpcUrl, chainId, clients, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * anvil binds port 0 and prints `Listening on 127.0.0.1:<port>` once its JSON-RPC accepts
 * connections; reading the port from there is free of the race a pre-picked port has.
 */
function listeningPort(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`anvil did not start: ${reason}\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no "Listening on" within ${timeoutMs} ms`), timeoutMs);
    // anvil logs each RPC call after that; the listener stays to drain them, so a full pipe never blocks it.
    const onData = (chunk: Buffer) => {
      if (settled) return;
      output += chunk.toString();
      const match = /Listening on [\d.]+:(\d+)/.exec(output);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`));
    child.once('error', (error) => fail(error.message));
  });
}
