/**
 * Keeps the workspace's manifests honest (`pnpm lint` runs it): every package declares each bare
 * module its own files import (dependencies, devDependencies or peerDependencies), and a version
 * that several manifests need is written once, in pnpm-workspace.yaml's `catalog`, which they name
 * as "catalog:". Without the first, an import works only while pnpm happens to hoist another
 * package's copy; without the second, two copies of zod drift apart.
 *
 * A file belongs to the nearest workspace package above it, else to the root package. Imports are
 * read with TypeScript's scanner (static, dynamic and type-only imports, re-exports, `require`,
 * `/// <reference types>`), from the `<script>` blocks of Svelte components.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { parse } from 'yaml';
import { z } from 'zod';

/** Folders that hold no source of ours. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'public', 'test-results', 'playwright-report']);
const SOURCE_FILE = /\.(?:[cm]?[jt]s|svelte)$/;
/** Module names vite.config.ts's `resolve.alias` maps to files: not packages. */
const ALIASES = new Set(['transformers-ort']);

const versions = z.record(z.string(), z.string()).optional();
const manifestSchema = z.object({
  name: z.string().optional(),
  dependencies: versions,
  devDependencies: versions,
  peerDependencies: versions,
});
const workspaceSchema = z.object({
  packages: z.array(z.string()).default([]),
  catalog: z.record(z.string(), z.string()).default({}),
});

interface Package {
  /** The package's folder, relative to the root ('' for the root), with '/' separators. */
  dir: string;
  manifest: z.infer<typeof manifestSchema>;
}

/** `zod` for `zod/mini`, `@tensorflow/tfjs` for `@tensorflow/tfjs/dist/x`; undefined when not a package. */
export function packageName(specifier: string): string | undefined {
  const path = specifier.split('?')[0]!;
  if (/^[./]/.test(path) || /^[a-z][a-z0-9+.-]*:/i.test(path) || isBuiltin(path)) return undefined;
  const parts = path.split('/');
  const name = path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return ALIASES.has(name) ? undefined : name;
}

/** The packages a source file names in its imports, in order of first appearance. */
export function importedPackages(path: string, source: string): string[] {
  const code = path.endsWith('.svelte')
    ? [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join('\n')
    : source;
  const scanned = ts.preProcessFile(code, true, true);
  const names = [...scanned.importedFiles, ...scanned.typeReferenceDirectives].map((ref) => packageName(ref.fileName));
  return [...new Set(names.filter((name) => name !== undefined))];
}

function* sourceFiles(root: string, dir: string): Generator<string> {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) yield* sourceFiles(root, path);
    else if (entry.isFile() && SOURCE_FILE.test(entry.name)) yield path;
  }
}

function readPackage(root: string, dir: string): Package {
  const file = join(root, dir, 'package.json');
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${relative(root, file)}: ${z.prettifyError(parsed.error)}`);
  return { dir, manifest: parsed.data };
}

function manifestPath(pkg: Package): string {
  return pkg.dir === '' ? 'package.json' : `${pkg.dir}/package.json`;
}

/** What is wrong with the workspace at `root`, one sentence each naming the package and the import; empty when all is well. */
export function checkDependencies(root: string): string[] {
  const workspace = workspaceSchema.parse(parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) ?? {});
  const globbed = workspace.packages.find((dir) => /[*?{[!]/.test(dir));
  if (globbed) throw new Error(`pnpm-workspace.yaml: list each package's folder (not a pattern like '${globbed}')`);
  const members = workspace.packages.map((dir) => readPackage(root, dir.replace(/\/+$/, '')));
  const packages = [readPackage(root, ''), ...members];
  const problems: string[] = [];

  // Deepest folder first, so a file goes to the package nearest above it.
  const byDepth = [...members].sort((a, b) => b.dir.length - a.dir.length);
  const firstImporter = new Map<Package, Map<string, string>>();
  for (const file of sourceFiles(root, '')) {
    const owner = byDepth.find((pkg) => file.startsWith(`${pkg.dir}/`)) ?? packages[0]!;
    const seen = firstImporter.get(owner) ?? firstImporter.set(owner, new Map()).get(owner)!;
    for (const name of importedPackages(file, readFileSync(join(root, file), 'utf8'))) {
      if (!seen.has(name)) seen.set(name, file);
    }
  }
  for (const pkg of packages) {
    const { name, dependencies, devDependencies, peerDependencies } = pkg.manifest;
    const declared = new Set([name, ...Object.keys({ ...dependencies, ...devDependencies, ...peerDependencies })]);
    for (const [module, file] of firstImporter.get(pkg) ?? []) {
      if (!declared.has(module)) {
        problems.push(`${file} imports '${module}', which ${manifestPath(pkg)} does not declare`);
      }
    }
  }

  const pins = new Map<string, string[]>();
  const declaredBy = new Map<string, number>();
  // A peer range says what a package works with, not what gets installed: it may be wider.
  for (const pkg of packages) {
    const { dependencies, devDependencies } = pkg.manifest;
    for (const [module, version] of Object.entries({ ...devDependencies, ...dependencies })) {
      declaredBy.set(module, (declaredBy.get(module) ?? 0) + 1);
      if (!/^(?:catalog|workspace):/.test(version)) {
        pins.set(module, [...(pins.get(module) ?? []), `${manifestPath(pkg)} (${version})`]);
      }
    }
  }
  for (const [module, where] of pins) {
    if ((declaredBy.get(module) ?? 0) < 2) continue;
    problems.push(
      `'${module}' is declared by ${declaredBy.get(module)} manifests and pinned in ${where.join(' and ')}: ` +
        `write its version once in pnpm-workspace.yaml's catalog and "catalog:" in each manifest`,
    );
  }
  return problems;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const problems = checkDependencies(fileURLToPath(new URL('..', import.meta.url)));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log('Dependencies: every package declares what it imports; shared versions come from the catalog.');
}
