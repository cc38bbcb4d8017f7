/** A process's resident memory as Linux reports it, in bytes: now (`VmRSS`) and at its peak (`VmHWM`). */
import { readFile } from 'node:fs/promises';

export async function residentBytes(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { now: kib('VmRSS'), peak: kib('VmHWM') };
}
