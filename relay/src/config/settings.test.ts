import { describe, expect, it } from 'vitest';
import { SECTIONS, SETTINGS } from './settings.ts';

const entries = Object.entries(SETTINGS);

describe('the settings table', () => {
  it('declares each variable in one section only', () => {
    const declared = SECTIONS.flatMap((section) => Object.keys(section.settings));
    expect(declared).toHaveLength(new Set(declared).size);
    expect(declared).toHaveLength(entries.length);
  });

  it('fills each RelayConfig field from one variable', () => {
    const fields = entries.flatMap(([, { to }]) => (to === undefined ? [] : [to]));
    expect(fields).toHaveLength(new Set(fields).size);
  });

  it('gives the default for an unset variable, and the default written out parses back to itself', () => {
    for (const [name, setting] of entries) {
      expect(setting.parse.parse(undefined), name).toEqual(setting.default);
      if (setting.default === undefined) continue;
      const value: unknown = setting.default;
      const texts =
        typeof value === 'object'
          ? [JSON.stringify(value), Array.isArray(value) ? value.join(',') : '']
          : [String(value)];
      const parsed = texts.map((text) => setting.parse.safeParse(text)).filter((result) => result.success);
      expect(
        parsed.some((result) => JSON.stringify(result.data) === JSON.stringify(value)),
        `${name}'s default is not a value it accepts`,
      ).toBe(true);
    }
  });

  it('describes each setting in one line', () => {
    for (const section of SECTIONS) {
      for (const [name, { meaning }] of Object.entries({ ...section.perProvider, ...section.settings })) {
        expect(meaning, name).toMatch(/^[^\n]+$/);
      }
    }
  });
});
