import { describe, expect, it } from 'vitest';
import { codePointLabel, hiddenWarning, revealHidden, visiblePreview } from './visibleText.ts';

describe('revealHidden', () => {
  it('shows a right-to-left override where it is, so the text reads in the order it is stored', () => {
    // Displayed, the override turns the tail around: it reads "Approve invoiceevil.exe".
    const { text, found } = revealHidden('Approve invoice\u202Eexe.live');
    expect(text).toBe('Approve invoice⟨U+202E⟩exe.live');
    expect([...found]).toEqual([['U+202E', { name: 'right-to-left override', count: 1 }]]);
  });

  it.each([
    ['zero-width space', 'a\u200Bb', 'a⟨U+200B⟩b'],
    ['zero-width joiner and non-joiner', '\u200C\u200D', '⟨U+200C⟩⟨U+200D⟩'],
    ['bidi isolates and marks', '\u2066x\u2069\u200E\u200F\u061C', '⟨U+2066⟩x⟨U+2069⟩⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩'],
    ['a byte order mark and a soft hyphen', '\uFEFFpay\u00ADment', '⟨U+FEFF⟩pay⟨U+00AD⟩ment'],
    ['spaces other than U+0020', 'a\u00A0b\u2003c\u3000d', 'a⟨U+00A0⟩b⟨U+2003⟩c⟨U+3000⟩d'],
    [
      'line and paragraph separators, carriage return, NUL',
      'a\u2028b\u2029c\rd\u0000',
      'a⟨U+2028⟩b⟨U+2029⟩c⟨U+000D⟩d⟨U+0000⟩',
    ],
    ['tag characters (astral)', 'hi\u{E0041}\u{E007F}', 'hi⟨U+E0041⟩⟨U+E007F⟩'],
    ['variation selectors and Hangul fillers', 'x\uFE0F\u3164\u115F', 'x⟨U+FE0F⟩⟨U+3164⟩⟨U+115F⟩'],
    ['a lone surrogate', 'a\uD800b', 'a⟨U+D800⟩b'],
  ])('marks %s', (_name, input, shown) => {
    expect(revealHidden(input).text).toBe(shown);
  });

  it('leaves ordinary text, spaces, tabs, newlines and other scripts alone', () => {
    const text = 'Send 1.5 ETH\tto 0xAbC…\nπ ≈ 3.14 — 東京 — مرحبا — café';
    expect(revealHidden(text)).toEqual({ text, found: new Map() });
  });

  it('counts repeats and labels astral code points with all their digits', () => {
    const { found } = revealHidden('\u202E\u202E\u{E0020}');
    expect(found.get('U+202E')?.count).toBe(2);
    expect(codePointLabel('\u{E0020}')).toBe('U+E0020');
    expect(codePointLabel('\u00AD')).toBe('U+00AD');
  });
});

describe('hiddenWarning', () => {
  it('is absent when nothing was hidden', () => {
    expect(hiddenWarning(new Map())).toBeUndefined();
  });

  it('names each character, counts repeats, and warns about reordering for direction controls', () => {
    const { found } = revealHidden('\u202Eab\u202E\u200B');
    expect(hiddenWarning(found)).toBe(
      'This request contains characters you would not otherwise see: U+202E (right-to-left override) ×2, U+200B (zero-width space). ' +
        'Each is shown where it is as ⟨U+…⟩. Direction controls can make text read in another order than it is stored and signed.',
    );
    expect(hiddenWarning(revealHidden('a\u200Bb').found)).not.toContain('Direction');
  });
});

describe('visiblePreview', () => {
  it('reveals the summary, every field and the detail, and warns once for all of them', () => {
    const shown = visiblePreview({
      summary: 'Cursor\u200B asks you to sign',
      fields: [
        { label: 'Message', value: 'I owe Bob 1\u202E00 ETH' },
        { label: 'Signing address', value: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' },
      ],
      detail: { note: 'tail\u2066' },
    });
    expect(shown).toEqual({
      summary: 'Cursor⟨U+200B⟩ asks you to sign',
      fields: [
        { label: 'Message', value: 'I owe Bob 1⟨U+202E⟩00 ETH' },
        { label: 'Signing address', value: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' },
      ],
      detail: '{\n  "note": "tail⟨U+2066⟩"\n}',
      warning: expect.stringContaining('U+200B (zero-width space), U+202E (right-to-left override), U+2066'),
    });
  });

  it('has no warning for a clean preview', () => {
    expect(visiblePreview({ summary: 'ok', fields: [{ label: 'Tool', value: 'quantum_simulate' }] })).toEqual({
      summary: 'ok',
      fields: [{ label: 'Tool', value: 'quantum_simulate' }],
    });
  });
});
