/** One generated file, addressed relative to the models root (public/models). */
export interface OutputFile {
  path: string;
  data: Uint8Array | string;
}

/** Pretty, newline-terminated JSON: stable key order comes from the builders' object literals. */
export function jsonFile(path: string, value: unknown): OutputFile {
  return { path, data: JSON.stringify(value, null, 2) + '\n' };
}
