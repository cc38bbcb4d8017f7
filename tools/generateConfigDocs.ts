/**
 * Writes docs/configuration.md's settings tables from the relay's settings table
 * (relay/src/config/settings.ts): `pnpm docs:config`. The page's own prose stays as written; only
 * what lies between its two markers is generated, one section per table section, formatted with
 * the repository's prettier settings so `prettier --check` keeps passing.
 * tools/generateConfigDocs.test.ts fails while the page and the table disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import prettier from 'prettier';
import { MiB } from '../relay/src/config/parsers.ts';
import type { Section, Setting } from '../relay/src/config/setting.ts';
import { SECTIONS } from '../relay/src/config/settings.ts';

export const PAGE = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const START_MARKER =
  '<!-- The sections below are generated from relay/src/config by `pnpm docs:config`: edit the settings there. -->';
export const END_MARKER = '<!-- End of the generated sections. -->';

/** A setting's Default cell: its own text, else the value (sizes in bytes also in MiB), else a dash. */
export function shownDefault(name: string, setting: Setting): string {
  if (setting.shownDefault !== undefined) return setting.shownDefault;
  const value = setting.default;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return '–';
  const text = `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
  if (typeof value === 'number' && name.includes('_BYTES') && value >= MiB && value % MiB === 0) {
    return `${text} (${value / MiB} MiB${name.endsWith('_PER_SEC') ? '/s' : ''})`;
  }
  return text;
}

function row(name: string, setting: Setting): string {
  const cells = [`\`${name}\``, shownDefault(name, setting), setting.meaning];
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

/** The generated part of the page: per section, its heading, its paragraph and its table. */
export function settingsMarkdown(sections: readonly Section[]): string {
  return sections
    .map((section) =>
      [
        `## ${section.title}`,
        '',
        section.intro,
        '',
        '| Variable | Default | Meaning |',
        '| --- | --- | --- |',
        ...Object.entries({ ...section.perProvider, ...section.settings }).map(([name, setting]) => row(name, setting)),
      ].join('\n'),
    )
    .join('\n\n');
}

/** The page with its generated part rebuilt from `sections`, formatted as prettier would. */
export async function configurationPage(page: string, sections: readonly Section[] = SECTIONS): Promise<string> {
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  if (start < 0 || end < start) {
    throw new Error(
      `docs/configuration.md has lost its markers: the generated sections go between\n${START_MARKER}\nand\n${END_MARKER}`,
    );
  }
  const text = `${page.slice(0, start + START_MARKER.length)}\n\n${settingsMarkdown(sections)}\n\n${page.slice(end)}`;
  const options = await prettier.resolveConfig(PAGE);
  return prettier.format(text, { ...options, filepath: PAGE });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const page = readFileSync(PAGE, 'utf8');
  const generated = await configurationPage(page);
  if (generated === page) console.log('docs/configuration.md is up to date with relay/src/config.');
  else {
    writeFileSync(PAGE, generated);
    console.log('docs/configuration.md rewritten from relay/src/config.');
  }
}
