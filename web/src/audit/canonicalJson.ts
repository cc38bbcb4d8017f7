/**
 * JSON with object keys sorted at every level, so equal values always give the same text (and
 * the same hash) whatever order their keys were written in.
 *
 * Values nested deeper than `maxDepth` are replaced by `TOO_DEEP_MARKER`: JSON.stringify recurses,
 * and arguments nested a few thousand levels deep (which JSON.parse accepts) would otherwise
 * overflow the stack. Within the limit the text is exactly JSON.stringify's, sorted.
 */
export const CANONICAL_MAX_DEPTH = 128;
export const TOO_DEEP_MARKER = `[nested deeper than ${CANONICAL_MAX_DEPTH} levels: replaced by this marker]`;

export interface CanonicalJson {
  text: string;
  /** Whether some part was nested too deep and replaced by the marker. */
  cut: boolean;
}

export function canonicalJsonOf(value: unknown, maxDepth = CANONICAL_MAX_DEPTH): CanonicalJson {
  const { value: bounded, cut } = limitDepth(value, maxDepth);
  const text = JSON.stringify(bounded, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : typeof item === 'bigint'
        ? item.toString()
        : item,
  );
  return { text, cut };
}

/**
 * `value` with what is nested deeper than `maxDepth` replaced by the marker (itself when nothing
 * is). Also what makes a value safe to post to a Worker: structured clone fails on deep nesting.
 */
export function limitDepth(value: unknown, maxDepth = CANONICAL_MAX_DEPTH): { value: unknown; cut: boolean } {
  const state = { cut: false };
  return { value: withinDepth(value, 0, maxDepth, state), cut: state.cut };
}

export function canonicalJson(value: unknown): string {
  return canonicalJsonOf(value).text;
}

/** `value` itself when nothing in it is nested deeper than `maxDepth`; else a copy with the deep parts replaced. */
function withinDepth(value: unknown, depth: number, maxDepth: number, state: { cut: boolean }): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Dates and the like become strings through their toJSON before any nesting.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (depth >= maxDepth) {
    state.cut = true;
    return TOO_DEEP_MARKER;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const bounded = withinDepth(item, depth + 1, maxDepth, state);
      if (bounded !== item) (copy ??= [...value])[index] = bounded;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const bounded = withinDepth(item, depth + 1, maxDepth, state);
    if (bounded !== item) (copy ??= { ...value })[key] = bounded;
  }
  return copy ?? value;
}
