import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDependencies, importedPackages, packageName } from './checkDependencies.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A workspace on disk from `{ path: contents }`; objects are written as JSON. */
function workspace(files: Record<string, string | object>): string {
  const root = mkdtempSync(join(tmpdir(), 'vial-deps-'));
  roots.push(root);
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof contents === 'string' ? contents : JSON.stringify(contents));
  }
  return root;
}

const WORKSPACE_YAML = 'packages:\n  - web\n  - relay\ncatalog:\n  vitest: ^4.1.12\n  zod: ^4.6.7\n';

describe('packageName', () => {
  it('names the package of a bare specifier, subpaths and Vite queries dropped', () => {
    expect(packageName('zod')).toBe('zod');
    expect(packageName('zod/mini')).toBe('zod');
    expect(packageName('@tensorflow/tfjs/dist/index.js')).toBe('@tensorflow/tfjs');
    expect(packageName('onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url')).toBe('onnxruntime-web');
  });

  it('skips relative paths, Node builtins, URLs and the Vite aliases', () => {
    for (const specifier of ['./a.ts', '../b', '/abs', 'node:fs', 'fs', 'virtual:x', 'transformers-ort/x.wasm']) {
      expect(packageName(specifier), specifier).toBeUndefined();
    }
  });
});

describe('importedPackages', () => {
  it('reads static, type-only, dynamic and re-exported imports, require and type references', () => {
    const source = [
      '/// <reference types="vite/client" />',
      "import { z } from 'zod';",
      "import type { Client } from '@modelcontextprotocol/sdk/client/index.js';",
      "export { parse } from 'yaml';",
      "const ort = await import('onnxruntime-web');",
      "const ws = require('ws');",
      "import { readFileSync } from 'node:fs';",
      "import { local } from './local.ts';",
    ].join('\n');
    expect(importedPackages('a.ts', source)).toEqual([
      'zod',
      '@modelcontextprotocol/sdk',
      'yaml',
      'onnxruntime-web',
      'ws',
      'vite',
    ]);
  });

  it('ignores module names in comments and strings', () => {
    const source = "// import x from 'left-pad';\nconst code = \"import y from 'is-odd'\";\nimport { z } from 'zod';";
    expect(importedPackages('a.ts', source)).toEqual(['zod']);
  });

  it('reads the script blocks of a Svelte component, not its markup', () => {
    const source = [
      '<script module lang="ts">',
      "  import type { Component } from 'svelte';",
      '</script>',
      '<script lang="ts">',
      "  import { formatUnits } from 'viem';",
      '</script>',
      "<p>import x from 'not-a-module'</p>",
    ].join('\n');
    expect(importedPackages('View.svelte', source)).toEqual(['svelte', 'viem']);
  });
});

describe('checkDependencies', () => {
  it('passes a workspace whose packages declare their imports and share versions through the catalog', () => {
    const root = workspace({
      'pnpm-workspace.yaml': WORKSPACE_YAML,
      'package.json': { name: 'root', devDependencies: { svelte: '^5.57.3', vitest: 'catalog:', zod: 'catalog:' } },
      'web/package.json': {
        name: '@x/web',
        dependencies: { zod: 'catalog:', '@x/relay': 'workspace:*' },
        peerDependencies: { svelte: '^5.0.0' },
      },
      'relay/package.json': { name: '@x/relay', devDependencies: { vitest: 'catalog:' } },
      'tests/a.test.ts': "import { it } from 'vitest';\nimport { z } from 'zod';",
      'web/src/a.ts': "import { z } from 'zod';\nimport type { Hub } from '@x/relay';",
      'web/src/App.svelte': '<script lang="ts">\n  import { onMount } from \'svelte\';\n</script>',
      'relay/src/a.test.ts': "import { it } from 'vitest';\nimport { self } from '@x/relay';",
      'web/node_modules/dep/index.js': "import 'undeclared-in-node-modules';",
    });
    expect(checkDependencies(root)).toEqual([]);
  });

  it('names the file and the module a package imports without declaring it, even when another package does', () => {
    const root = workspace({
      'pnpm-workspace.yaml': WORKSPACE_YAML,
      'package.json': { name: 'root', devDependencies: { svelte: '^5.57.3', vitest: '^4.1.12' } },
      'web/package.json': { name: '@x/web', dependencies: {} },
      'relay/package.json': { name: '@x/relay' },
      'web/src/App.svelte': '<script lang="ts">\n  import { onMount } from \'svelte\';\n</script>',
      'web/src/deep/b.test.ts': "import { it } from 'vitest';",
      'relay/src/c.ts': "import { WebSocketServer } from 'ws';",
    });
    expect(checkDependencies(root)).toEqual([
      "web/src/App.svelte imports 'svelte', which web/package.json does not declare",
      "web/src/deep/b.test.ts imports 'vitest', which web/package.json does not declare",
      "relay/src/c.ts imports 'ws', which relay/package.json does not declare",
    ]);
  });

  it('names the manifests that pin a dependency another manifest also declares', () => {
    const root = workspace({
      'pnpm-workspace.yaml': WORKSPACE_YAML,
      'package.json': { name: 'root', devDependencies: { zod: 'catalog:', tsx: '^4.23.15' } },
      'web/package.json': { name: '@x/web', dependencies: { zod: '^4.6.7' } },
      'relay/package.json': { name: '@x/relay', dependencies: { tsx: '^4.23.15', pino: '^10.4.0' } },
    });
    expect(checkDependencies(root)).toEqual([
      "'tsx' is declared by 2 manifests and pinned in package.json (^4.23.15) and relay/package.json (^4.23.15): " +
        'write its version once in pnpm-workspace.yaml\'s catalog and "catalog:" in each manifest',
      "'zod' is declared by 2 manifests and pinned in web/package.json (^4.6.7): " +
        'write its version once in pnpm-workspace.yaml\'s catalog and "catalog:" in each manifest',
    ]);
  });

  it('refuses a workspace pattern it cannot map files to', () => {
    const root = workspace({
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
      'package.json': { name: 'root' },
    });
    expect(() => checkDependencies(root)).toThrow("list each package's folder (not a pattern like 'packages/*')");
  });
});
