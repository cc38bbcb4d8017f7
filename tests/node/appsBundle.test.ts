/**
 * The built MCP Apps (dist/web/apps, vite.apps.ts): each is one self-contained HTML file within
 * MAX_APP_HTML_CHARS that names no other file or origin, and none of their code is in the JS the
 * tab fetches before its first paint (the tab fetches an app's file only when a client reads it).
 * Needs a build: run `pnpm build` before this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initialJs } from '../../bench/initialJs.ts';
import { APPS, APP_MARKER_META, MAX_APP_HTML_CHARS } from '../../web/src/apps/catalog.ts';

const DIST = 'dist/web';
const built = existsSync(`${DIST}/apps`);

/** Strings only an app's code carries: the App handshake's method (ext-apps) and a test id of each app's own. */
const APP_CODE_MARKERS = [
  'ui/initialize',
  'quantum-run-again',
  'train-final-metrics',
  'answers-summary',
  'receipt-no-explorer',
  'registry-search',
];

describe.skipIf(!built)(`the MCP Apps in ${DIST}/apps${built ? '' : ' (skipped: run `pnpm build` first)'}`, () => {
  for (const app of APPS) {
    it(`${app.file} is one file, marked, bounded, and names no other file or origin`, () => {
      const html = readFileSync(`${DIST}/apps/${app.file}`, 'utf8');
      expect(html).toContain(`<meta name="${APP_MARKER_META}" content="${app.folder}"`);
      expect(html.length).toBeLessThanOrEqual(MAX_APP_HTML_CHARS);
      expect(html).toMatch(/<script type="module">/);
      expect(html.match(/<(?:script|link|img|iframe)\b[^>]*\s(?:src|href)=/gi) ?? []).toEqual([]);
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1]).join('\n');
      expect(styles.length).toBeGreaterThan(0);
      expect(styles.match(/url\((?!["']?data:)[^)]*\)|@import/g) ?? []).toEqual([]);
      expect(html).toContain('ui/initialize');
    });
  }

  it('each marker of app code is in an app (so its absence from the tab means something)', () => {
    const pages = APPS.map((app) => readFileSync(`${DIST}/apps/${app.file}`, 'utf8'));
    for (const marker of APP_CODE_MARKERS)
      expect(
        pages.some((html) => html.includes(marker)),
        marker,
      ).toBe(true);
  });

  it("the tab's initial JavaScript holds none of the apps' code", () => {
    const files = initialJs(DIST);
    for (const marker of APP_CODE_MARKERS) {
      expect(files.filter((file) => file.code.includes(marker)).map((file) => file.path)).toEqual([]);
    }
  });
});
