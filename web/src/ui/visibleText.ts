/**
 * Text a client wrote, made safe to show in an approval: every character that displays as
 * nothing, as a plain space, or that reorders the text around it (bidi controls such as U+202E)
 * is replaced by a visible marker like ⟨U+202E⟩, and the approval says which ones it found. A
 * person then sees each character that will be signed, in the order it is stored.
 */
import type { ApprovalPreview } from '../server/approvals.ts';

// Format characters (bidi controls, zero-width, BOM, soft hyphen, tags), control characters,
// line and paragraph separators, spaces other than U+0020, unassigned code points, lone
// surrogates, and the invisible letters and marks that are neither: variation selectors,
// combining grapheme joiner, Hangul fillers, Khmer inherent vowels, braille blank.
// The combining marks stand alone: in one class with the rest they would read as combined characters.
const HIDDEN =
  /(?![\n\t])[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\p{Cn}\p{Cs}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u115F\u1160\u3164\uFFA0\u2800]|\u034F|\u17B4|\u17B5|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu;

const NAMES: Record<number, string> = {
  0x00a0: 'no-break space',
  0x00ad: 'soft hyphen',
  0x061c: 'Arabic letter mark',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'zero-width no-break space (BOM)',
  0x000d: 'carriage return',
};

/** "U+202E", with at least four hex digits, as Unicode writes code points. */
export function codePointLabel(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export interface RevealedText {
  /** The text with each hidden character replaced by ⟨U+XXXX⟩. */
  text: string;
  /** The hidden characters found, by code point label, with their name where known. */
  found: Map<string, { name?: string; count: number }>;
}

/** `value` with every hidden character shown as ⟨U+XXXX⟩; `into` collects what was found. */
export function revealHidden(value: string, into: RevealedText['found'] = new Map()): RevealedText {
  const text = value.replace(HIDDEN, (char) => {
    const label = codePointLabel(char);
    const seen = into.get(label);
    if (seen) seen.count += 1;
    else into.set(label, { name: NAMES[char.codePointAt(0)!], count: 1 });
    return `⟨${label}⟩`;
  });
  return { text, found: into };
}

/** One sentence naming the hidden characters found, or undefined when there were none. */
export function hiddenWarning(found: RevealedText['found']): string | undefined {
  if (found.size === 0) return undefined;
  const list = [...found].map(
    ([label, { name, count }]) => `${label}${name ? ` (${name})` : ''}${count > 1 ? ` ×${count}` : ''}`,
  );
  const bidi = [...found.keys()].some((label) => /^U\+(?:202[A-E]|206[6-9]|200[EF]|061C)$/.test(label));
  return (
    `This request contains characters you would not otherwise see: ${list.join(', ')}. ` +
    'Each is shown where it is as ⟨U+…⟩.' +
    (bidi ? ' Direction controls can make text read in another order than it is stored and signed.' : '')
  );
}

/** An approval preview as the panel shows it: every client-written string revealed. */
export interface VisiblePreview {
  summary: string;
  fields: Array<{ label: string; value: string }>;
  /** The structured detail as indented JSON, revealed. */
  detail?: string;
  /** Set when anything was hidden in the summary, a field or the detail. */
  warning?: string;
}

export function visiblePreview(preview: ApprovalPreview): VisiblePreview {
  const found: RevealedText['found'] = new Map();
  const show = (value: string) => revealHidden(value, found).text;
  const summary = show(preview.summary);
  const fields = preview.fields.map((field) => ({ label: show(field.label), value: show(field.value) }));
  const detail = preview.detail === undefined ? undefined : show(JSON.stringify(preview.detail, null, 2));
  const warning = hiddenWarning(found);
  return { summary, fields, ...(detail === undefined ? {} : { detail }), ...(warning ? { warning } : {}) };
}
