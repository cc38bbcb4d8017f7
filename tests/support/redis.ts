/**
 * A private redis-server for one test file: Debian's binary (the README's test command and
 * .ci/run install it), on a free loopback port, with nothing saved to disk. Never a shared or
 * system instance, so test files cannot see each other's keys. It can be stopped and started
 * again on the same port, to play Redis going away under running relays.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestRedis {
  url: string;
  port: number;
  /** Runs one command through redis-cli and gives its raw reply (`keys('vial:*')` and the like). */
  command(...args: string[]): Promise<string>;
  /** Every key, sorted. */
  keys(pattern?: string): Promise<string[]>;
  /** Kills the server (SIGKILL: no goodbye to its clients); its keys are gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const MISSING =
  "redis-server is not installed, and the multi-relay tests need a real one: run `apt-get install -y redis-server` (the README's test command and .ci/run install it when it is missing)";

function binaryPresent(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface TestRedisOptions {
  /** A port of the test's choosing (e.g. one a relay was told about before Redis started); a free one otherwise. */
  port?: number;
  /** Clients must AUTH with it (`requirepass`). */
  password?: string;
}

/** A free loopback port, nothing listening on it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  if (!binaryPresent('redis-server') || !binaryPresent('redis-cli')) throw new Error(MISSING);
  const port = options.port ?? (await freePort());
  const auth = options.password === undefined ? [] : ['--no-auth-warning', '-a', options.password];
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const spawned = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
        ...(options.password === undefined ? [] : ['--requirepass', options.password]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = spawned;
    let output = '';
    spawned.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    spawned.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (spawned.exitCode !== null) throw new Error(`redis-server on port ${port} exited at start:\n${output}`);
      const ping = await run('redis-cli', ['-p', String(port), ...auth, 'ping']).catch(() => undefined);
      if (ping?.stdout.trim() === 'PONG') return;
      if (Date.now() > deadline)
        throw new Error(`redis-server on port ${port} did not answer PING in 10 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function kill(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }

  async function command(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...auth, ...args]);
    return stdout.trim();
  }

  await start();
  return {
    url: `redis://${options.password === undefined ? '' : `:${options.password}@`}127.0.0.1:${port}`,
    port,
    command,
    async keys(pattern = '*') {
      const listed = await command('--scan', '--pattern', pattern);
      return listed === '' ? [] : listed.split('\n').sort();
    },
    kill,
    start,
    stop: kill,
  };
}
