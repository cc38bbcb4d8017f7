/**
 * Runs the official MCP conformance suite (`@modelcontextprotocol/conformance`, server mode)
 * against a relay. The suite cannot send an `Authorization` header, so it talks to a small
 * reverse proxy that adds the bearer token and forwards everything else untouched (method, path,
 * Host, Origin, SSE streamed as it arrives): the relay's auth and Origin/Host checks still apply.
 */
import { spawn } from 'node:child_process';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { conformanceCli, node22 } from '@vial/conformance-runner';

export const EXPECTED_FAILURES = fileURLToPath(new URL('../conformance/expected-failures.yml', import.meta.url));

export interface HeaderProxy {
  /** `http://localhost:<port>`: the suite's DNS-rebinding scenario wants a localhost URL. */
  url: string;
  close(): Promise<void>;
}

/** Hop-by-hop headers describe one connection; Node sets its own for each side. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

/** `headers` less the hop-by-hop ones: what a proxy passes on. */
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** A reverse proxy to `target` that adds `Authorization: Bearer <token>` to every request. */
export async function startBearerProxy(target: string, token: string): Promise<HeaderProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // Host and Origin stay exactly as the client sent them.
        headers: { ...endToEnd(req.headers), authorization: `Bearer ${token}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    // The client went away (e.g. it cancelled an SSE stream): let the relay see that too.
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ScenarioSummary {
  scenario: string;
  ok: boolean;
  passed: number;
  failed: number;
}

export interface SuiteRun {
  exitCode: number | null;
  output: string;
  scenarios: ScenarioSummary[];
  total: { passed: number; failed: number } | undefined;
}

export interface SuiteOptions {
  url: string;
  suite?: 'active' | 'all' | 'pending';
  expectedFailures?: string;
  timeoutMs?: number;
}

/** Runs `conformance server --url <url> --suite <suite>` on Node 22 and parses its summary. */
export function runConformanceSuite(options: SuiteOptions): Promise<SuiteRun> {
  const args = [conformanceCli, 'server', '--url', options.url, '--suite', options.suite ?? 'all'];
  if (options.expectedFailures) args.push('--expected-failures', options.expectedFailures);
  return new Promise((resolve, reject) => {
    const child = spawn(node22, args, { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output, ...parseSummary(output) });
    });
  });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function parseSummary(output: string): Pick<SuiteRun, 'scenarios' | 'total'> {
  const text = output.replace(ANSI, '');
  const summary = text.slice(text.lastIndexOf('=== SUMMARY ==='));
  const scenarios = [...summary.matchAll(/^([✓✗]) (\S+): (\d+) passed, (\d+) failed/gmu)].map((match) => ({
    scenario: match[2]!,
    ok: match[1] === '✓',
    passed: Number(match[3]),
    failed: Number(match[4]),
  }));
  const total = /^Total: (\d+) passed, (\d+) failed/m.exec(summary);
  return { scenarios, total: total ? { passed: Number(total[1]), failed: Number(total[2]) } : undefined };
}
