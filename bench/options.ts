/**
 * Benchmark settings from the command line (`--calls=200`) or the environment (`BENCH_CALLS=200`),
 * with a default; a value that is not what the bench needs stops it with a message that says so.
 */
function raw(name: string): string | undefined {
  const flag = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return flag?.slice(name.length + 3) ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
}

export function textOption(name: string, fallback: string): string {
  return raw(name) ?? fallback;
}

/** A whole number of at least `min` (0 unless given). */
export function intOption(name: string, fallback: number, min = 0): number {
  const text = raw(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be a whole number of at least ${min}, got '${text}' (e.g. --${name}=${fallback})`);
  }
  return value;
}

/** One of `choices`. */
export function choiceOption<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const text = raw(name);
  if (text === undefined) return fallback;
  const choice = choices.find((candidate) => candidate === text);
  if (choice === undefined) throw new Error(`--${name} must be one of ${choices.join(', ')}, got '${text}'`);
  return choice;
}
