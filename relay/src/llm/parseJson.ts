/** JSON from a provider (an SSE data line, an error body) that may not be JSON at all. */

/** Parses `text` as JSON; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
