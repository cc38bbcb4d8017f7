import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setting } from '../relay/src/config/setting.ts';
import { SECTIONS, SETTINGS } from '../relay/src/config/settings.ts';
import { END_MARKER, PAGE, START_MARKER, configurationPage, shownDefault } from './generateConfigDocs.ts';
import { positiveInt } from '../relay/src/config/parsers.ts';

const page = readFileSync(PAGE, 'utf8');

describe('docs/configuration.md', () => {
  it('is what the relay settings table generates', async () => {
    expect(page, 'docs/configuration.md differs from the settings in relay/src/config: run `pnpm docs:config`').toBe(
      await configurationPage(page),
    );
  });

  it('lists every variable the relay reads, once', () => {
    const names = [...Object.keys(SETTINGS), 'VIAL_LLM_<P>_API_KEY', '<P>_API_KEY', 'VIAL_LLM_<P>_BASE_URL'];
    for (const name of names) expect(page.split(`| \`${name}\` `).length - 1, name).toBe(1);
  });
});

describe('configurationPage', () => {
  it('follows a change to the table, leaving the prose around it as written', async () => {
    const [first, ...rest] = SECTIONS;
    const changed = {
      ...first!,
      settings: {
        ...first!.settings,
        VIAL_EXAMPLE_MS: setting({ schema: positiveInt, default: 1234, meaning: 'A setting added to the table' }),
      },
    };
    const regenerated = await configurationPage(page, [changed, ...rest]);
    expect(regenerated).not.toBe(page);
    expect(regenerated).toMatch(/\| `VIAL_EXAMPLE_MS` +\| `1234` +\| A setting added to the table +\|/);
    expect(regenerated.slice(0, regenerated.indexOf(START_MARKER))).toBe(page.slice(0, page.indexOf(START_MARKER)));
    expect(regenerated.slice(regenerated.indexOf(END_MARKER))).toBe(page.slice(page.indexOf(END_MARKER)));
  });

  it('refuses a page without its markers, naming them', async () => {
    await expect(configurationPage('# Configuration\n')).rejects.toThrow(/lost its markers.*\n.*pnpm docs:config/);
  });
});

describe('shownDefault', () => {
  it('shows sizes in MiB too, a dash for nothing, and a setting’s own text where it has one', () => {
    expect(shownDefault('VIAL_TAB_BURST_BYTES', SETTINGS.VIAL_TAB_BURST_BYTES)).toBe('`8388608` (8 MiB)');
    expect(shownDefault('VIAL_TABS_BYTES_PER_SEC', SETTINGS.VIAL_TABS_BYTES_PER_SEC)).toBe('`4194304` (4 MiB/s)');
    expect(shownDefault('VIAL_PORT', SETTINGS.VIAL_PORT)).toBe('`8787`');
    expect(shownDefault('VIAL_FIXTURES', SETTINGS.VIAL_FIXTURES)).toBe('–');
    expect(shownDefault('VIAL_PUBLIC_URL', SETTINGS.VIAL_PUBLIC_URL)).toBe('–');
    expect(shownDefault('VIAL_WEB_DIR', SETTINGS.VIAL_WEB_DIR)).toBe('`dist/web`');
  });
});
