/**
 * The path of an origin-form request target (`/mcp/<id>?…`), or undefined for any other target.
 * One `new URL` cannot parse (`http://[x`) used to throw out of the request handler and take the
 * whole relay down; an absolute-form one (`http://other/mcp/…`) names an authority that the Host
 * check never sees, so it is refused as well.
 */
export function requestPath(target: string): string | undefined {
  if (!target.startsWith('/')) return undefined;
  // The relay's own paths need no parsing: letters, digits, `_`, `-` and single slashes are
  // their own pathname. This skips a `new URL` (about 30 µs cold) on an LLM call's way to the
  // provider; anything else (dot segments, escapes, `//`) is left to the URL parser.
  const plain = PLAIN_PATH.exec(target);
  if (plain) return plain[0];
  try {
    return new URL(target, 'http://relay').pathname;
  } catch {
    return undefined;
  }
}

/** A path of plain segments, up to the query or fragment (or the end). */
const PLAIN_PATH = /^(?:\/[\w-]+)*\/?(?=[?#]|$)/;
