/**
 * Third-party MCP clients run as child processes against a relay: the MCP Inspector CLI,
 * mcp-remote (the stdio bridge Claude Desktop and others use) and Claude Code (`run` with its
 * binary). Each runs in the sandbox's folder with an isolated HOME and state directories, no proxy variables and no DISPLAY, so nothing touches the
 * user's files or opens a browser; every process started here is killed by `dispose()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const require = createRequire(import.meta.url);

/** Absolute path of one of a package's `bin` scripts, read from its package.json. */
export function packageBin(packageName: string, binName: string): string {
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[binName];
  if (!relative) throw new Error(`${packageName} has no bin '${binName}'; is the right version installed?`);
  return join(dirname(manifestPath), relative);
}

/** `@modelcontextprotocol/inspector` must be 2.x (pinned): 0.x has no `--header`, so it cannot send a token. */
export const INSPECTOR_BIN = packageBin('@modelcontextprotocol/inspector', 'mcp-inspector');
export const MCP_REMOTE_BIN = packageBin('mcp-remote', 'mcp-remote');

export interface ProcessResult {
  /** Exit code, or null when the process was killed by a signal (e.g. on timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface McpRemoteConnection {
  client: Client;
  /** mcp-remote's log lines (it logs to stderr; stdout carries the protocol). */
  stderr: string[];
  pid: number;
}

export class ClientSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'vial-clients-'));
  private readonly children = new Set<ChildProcess>();
  private readonly pids = new Set<number>();
  private readonly clients = new Set<Client>();

  /**
   * A minimal environment: PATH plus state directories inside the sandbox. Leaving out
   * HTTP(S)_PROXY matters: with a proxy set, Inspector 2.x loads undici 8, which fails on Node 20.
   */
  env(extra: Record<string, string> = {}): Record<string, string> {
    const home = join(this.dir, 'home');
    mkdirSync(home, { recursive: true });
    return {
      PATH: process.env.PATH ?? '',
      HOME: home,
      NO_COLOR: '1',
      MCP_STORAGE_DIR: join(this.dir, 'inspector'),
      MCP_AUTO_OPEN_ENABLED: 'false',
      MCP_INSPECTOR_SECRET_STORE: 'memory',
      MCP_REMOTE_CONFIG_DIR: join(this.dir, 'mcp-remote'),
      // Claude Code: no self-update, no telemetry or other calls home.
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...extra,
    };
  }

  /**
   * One non-interactive Inspector CLI run (`--cli` must come first; the URL must come before
   * the variadic `--header`). `--stored-auth-only` turns a 401 into exit code 3 instead of an
   * interactive OAuth flow.
   */
  runInspector(url: string, token: string, args: string[], timeoutMs = 15_000): Promise<ProcessResult> {
    return this.run(
      [
        INSPECTOR_BIN,
        '--cli',
        url,
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${token}`,
        '--stored-auth-only',
        '--format',
        'json',
        '-q',
        ...args,
      ],
      timeoutMs,
    );
  }

  /** Runs `<command> <args>` (node unless named) in the sandbox to completion, killing it after `timeoutMs`. */
  run(args: string[], timeoutMs: number, command = process.execPath): Promise<ProcessResult> {
    const started = performance.now();
    const child = spawn(command, args, { cwd: this.dir, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    return new Promise((resolve, reject) => {
      child.once('error', (error) => {
        clearTimeout(timer);
        this.children.delete(child);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        this.children.delete(child);
        resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - started });
      });
    });
  }

  /**
   * Starts mcp-remote and connects an SDK client to it over stdio. The token travels as
   * `${AUTH_TOKEN}`, which mcp-remote substitutes from its environment, so it is not in argv.
   * `env` adds to its environment (e.g. `BROWSER`, the program its OAuth flow opens URLs with).
   */
  async connectMcpRemote(
    url: string,
    token: string,
    timeoutMs = 15_000,
    env: Record<string, string> = {},
  ): Promise<McpRemoteConnection> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MCP_REMOTE_BIN, url, '--header', 'Authorization: Bearer ${AUTH_TOKEN}', '--transport', 'http-only'],
      env: this.env({ AUTH_TOKEN: token, ...env }),
      stderr: 'pipe',
    });
    const stderr: string[] = [];
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(...String(chunk).trimEnd().split('\n')));
    const client = new Client({ name: 'vial-mcp-remote-test', version: '1.0.0' });
    this.clients.add(client);
    try {
      await client.connect(transport, { timeout: timeoutMs });
    } catch (error) {
      throw new Error(`mcp-remote did not connect: ${(error as Error).message}\n${stderr.join('\n')}`, {
        cause: error,
      });
    } finally {
      // Known even when connecting failed, as long as the process is still running.
      if (transport.pid !== null) this.pids.add(transport.pid);
    }
    return { client, stderr, pid: transport.pid! };
  }

  /** Processes started here that are still running. */
  runningPids(): number[] {
    const pids = [...this.children].map((child) => child.pid).filter((pid) => pid !== undefined);
    return [...pids, ...this.pids].filter(isAlive);
  }

  /** Closes every client and kills every process this sandbox started, then removes its files. */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.clients].map((client) => client.close()));
    this.clients.clear();
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    for (const pid of this.pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    this.pids.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
