/**
 * The JavaScript a browser fetches before the app's first paint, read from a built app (`pnpm build`
 * writes `dist/web`): the entry `<script type="module">` and every `<link rel="modulepreload">` in
 * `index.html`, then whatever those files import statically, transitively. Dynamic `import()`s
 * (lazy views, wagmi, Workers) are not followed: they are fetched later, when used.
 *
 * Shared by `pnpm bench:bundle` (which prints the sizes) and `tests/node/bundle.test.ts` (which
 * holds them to a budget and checks no ML library is among them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseAst } from 'vite';

export type InitialFile = {
  /** The file's URL path, as the browser asks for it (`/assets/index-….js`). */
  path: string;
  code: string;
  rawBytes: number;
  /** gzip at level 9, what a server that compresses ahead of time would send. */
  gzipBytes: number;
};

const ORIGIN = 'http://app.invalid';

/** `src`/`href` of the entry scripts and module preloads, in document order. */
function htmlEntries(html: string): string[] {
  const entries: string[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const attribute = (name: string) => tag.match(new RegExp(`\\b${name}=["']([^"']+)["']`))?.[1];
    const isModuleScript = tag.startsWith('<script') && attribute('type') === 'module';
    const isPreload = tag.startsWith('<link') && attribute('rel') === 'modulepreload';
    const url = isModuleScript ? attribute('src') : isPreload ? attribute('href') : undefined;
    if (url) entries.push(url);
  }
  return entries;
}

/**
 * Specifiers of an ES module's static imports and re-exports, from its syntax tree (Vite's parser),
 * so `import("./x.js")` and strings that merely look like imports are not counted.
 */
function staticImports(code: string): string[] {
  return parseAst(code).body.flatMap((node) =>
    (node.type === 'ImportDeclaration' ||
      node.type === 'ExportAllDeclaration' ||
      node.type === 'ExportNamedDeclaration') &&
    node.source
      ? [String(node.source.value)]
      : [],
  );
}

/** Every file of the initial JavaScript of the app built into `distDir`, each once. */
export function initialJs(distDir: string): InitialFile[] {
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) throw new Error(`${indexPath} does not exist; run \`pnpm build\` first`);
  const files: InitialFile[] = [];
  const seen = new Set<string>();
  const visit = (url: URL) => {
    if (url.origin !== ORIGIN || seen.has(url.pathname)) return;
    seen.add(url.pathname);
    const bytes = readFileSync(join(distDir, url.pathname));
    const code = bytes.toString('utf8');
    files.push({ path: url.pathname, code, rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length });
    for (const specifier of staticImports(code)) visit(new URL(specifier, url));
  };
  for (const entry of htmlEntries(readFileSync(indexPath, 'utf8'))) visit(new URL(entry, `${ORIGIN}/`));
  if (files.length === 0) throw new Error(`${indexPath} has no <script type="module"> to start from`);
  return files;
}

/** Bytes as kB (1000 bytes, as Vite's build report counts them), two decimals. */
export function kB(bytes: number): string {
  return (bytes / 1000).toFixed(2);
}

/**
 * The most gzipped initial JavaScript the build may have, in kB: 146.0 since the MCP SDK's server
 * loads when the tab goes online (189.7 with it in the entry on the 2.x SDK; 189.5 after issue 20's
 * security work; 214.1 before the views other than Connect were split off). Most of it is what the
 * first paint and the relay connection need: Svelte, zod's schemas, the tool packs' definitions,
 * viem, and the host runtime with its audit log.
 */
export const INITIAL_JS_GZIP_BUDGET_KB = 160;
