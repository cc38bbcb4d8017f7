/**
 * Runs the official MCP conformance suite (`@modelcontextprotocol/conformance`, server mode)
 * against a relay: 0.1.16 for the 2025 scenarios, its 0.2.0 alpha for the 2026-07-28 ones. The
 * suite cannot send an `Authorization` header, so it talks to a reverse proxy that adds the
 * bearer token and forwards everything else untouched: the relay's auth and Origin/Host checks
 * still apply.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformance2026Cli, conformanceCli, node22 } from '@vial/conformance-runner';
import { startProxy, type HttpProxy } from './httpProxy.ts';

export const EXPECTED_FAILURES = fileURLToPath(new URL('../conformance/expected-failures.yml', import.meta.url));

export type HeaderProxy = HttpProxy;

/** A reverse proxy to `target` that adds `Authorization: Bearer <token>` to every request. */
export function startBearerProxy(target: string, token: string): Promise<HttpProxy> {
  return startProxy(target, { bearer: token });
}

export interface ScenarioSummary {
  scenario: string;
  ok: boolean;
  passed: number;
  failed: number;
  /**
   * Why the suite does not score this scenario for the revision it ran (`extension`, `pending`,
   * …; only with `requirements`): its failures do not affect conformance, or the exit code.
   */
  unscored?: string;
}

export interface CheckResult {
  id: string;
  /** SUCCESS, FAILURE, WARNING (a SHOULD not met), SKIPPED or INFO. */
  status: string;
  errorMessage?: string;
}

export interface SuiteRun {
  exitCode: number | null;
  output: string;
  /** Each scenario's checks, from the suite's `--output-dir` (only when `outputDir` was given). */
  checks: Map<string, CheckResult[]>;
  scenarios: ScenarioSummary[];
  total: { passed: number; failed: number } | undefined;
}

export interface SuiteOptions {
  url: string;
  suite?: 'active' | 'all' | 'pending';
  /**
   * Runs exactly the scenarios this revision requires, with the 0.2.0 alpha instead of 0.1.16
   * (`--requirements`, which replaces `suite`).
   */
  requirements?: '2026-07-28';
  expectedFailures?: string;
  /** Where the suite writes each scenario's checks.json; they are read back into `checks`. */
  outputDir?: string;
  timeoutMs?: number;
}

/**
 * Runs `conformance server --url <url> --suite <suite>` (or `--requirements <revision>`) on Node 22
 * and parses its summary.
 */
export function runConformanceSuite(options: SuiteOptions): Promise<SuiteRun> {
  const args = options.requirements
    ? [conformance2026Cli, 'server', '--url', options.url, '--requirements', options.requirements]
    : [conformanceCli, 'server', '--url', options.url, '--suite', options.suite ?? 'all'];
  if (options.expectedFailures) args.push('--expected-failures', options.expectedFailures);
  if (options.outputDir) args.push('--output-dir', options.outputDir);
  return new Promise((resolve, reject) => {
    const child = spawn(node22, args, { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const checks = options.outputDir ? readChecks(options.outputDir) : new Map<string, CheckResult[]>();
      resolve({ exitCode, output, checks, ...parseSummary(output) });
    });
  });
}

/** The suite writes `<dir>/server-<scenario>-<timestamp>/checks.json` per scenario. */
function readChecks(dir: string): Map<string, CheckResult[]> {
  const checks = new Map<string, CheckResult[]>();
  for (const entry of readdirSync(dir)) {
    const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(entry)?.[1];
    if (scenario)
      checks.set(scenario, JSON.parse(readFileSync(join(dir, entry, 'checks.json'), 'utf8')) as CheckResult[]);
  }
  return checks;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function parseSummary(output: string): Pick<SuiteRun, 'scenarios' | 'total'> {
  const text = output.replace(ANSI, '');
  const summary = text.slice(text.lastIndexOf('=== SUMMARY ==='));
  // The 0.2.0 alpha lists the scenarios it ran but does not score as "  ✗ name (why)".
  const unscored = new Map(
    [...summary.matchAll(/^ {2}[✓✗] (\S+) \(([\w-]+)\)$/gmu)].map((match) => [match[1]!, match[2]!]),
  );
  const scenarios = [...summary.matchAll(/^([✓✗]) (\S+): (\d+) passed, (\d+) failed/gmu)].map((match) => ({
    scenario: match[2]!,
    ok: match[1] === '✓',
    passed: Number(match[3]),
    failed: Number(match[4]),
    ...(unscored.has(match[2]!) ? { unscored: unscored.get(match[2]!) } : {}),
  }));
  const total = /^Total: (\d+) passed, (\d+) failed/m.exec(summary);
  return { scenarios, total: total ? { passed: Number(total[1]), failed: Number(total[2]) } : undefined };
}
