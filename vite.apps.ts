/**
 * Builds the MCP Apps (web/src/apps, listed in its catalog.ts) after the tab: each app's
 * index.html becomes one self-contained file, dist/web/apps/<file>, its JS and CSS inlined, so a
 * host's iframe needs no request of its own (Claude's CSP for app iframes allows inline code and
 * no origin). The tab fetches the file from its own origin when a client reads the app's `ui://`
 * resource, so none of an app's code is in the tab's chunks. The build fails when an app would
 * need another file, lacks its marker, or is over MAX_APP_HTML_CHARS.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig, type Plugin } from 'vite';
import { APPS, APP_MARKER_META, MAX_APP_HTML_CHARS, type AppManifest } from './web/src/apps/catalog.ts';

const root = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Builds every app once the tab's own build has written dist/web (which it empties first). */
export function mcpApps(): Plugin {
  return {
    name: 'vial:mcp-apps',
    apply: 'build',
    closeBundle: {
      sequential: true,
      order: 'post',
      async handler() {
        for (const app of APPS) await build(appBuild(app));
      },
    },
  };
}

function appBuild(app: AppManifest): InlineConfig {
  return {
    configFile: false,
    root: root(`./web/src/apps/${app.folder}`),
    base: './',
    publicDir: false,
    logLevel: 'warn',
    plugins: [svelte({ configFile: false, compilerOptions: { runes: true } }), singleFile(app)],
    build: {
      outDir: root('./dist/web/apps'),
      emptyOutDir: false,
      target: 'es2022',
      modulePreload: false,
      assetsInlineLimit: Number.MAX_SAFE_INTEGER,
      cssCodeSplit: false,
      reportCompressedSize: false,
      rollupOptions: { output: { codeSplitting: false } },
    },
  };
}

/** Inlines the page's one script and one stylesheet into the HTML and writes it as `app.file`. */
function singleFile(app: AppManifest): Plugin {
  return {
    name: 'vial:mcp-app-single-file',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const page = bundle['index.html'];
        if (page?.type !== 'asset') throw new Error(`MCP App ${app.folder}: the build made no index.html`);
        const used = new Set<string>(['index.html']);
        const fileText = (href: string): string => {
          const name = href.replace(/^\.\//, '');
          const file = bundle[name];
          if (!file) throw new Error(`MCP App ${app.folder}: index.html names ${href}, which the build did not make`);
          used.add(name);
          return file.type === 'chunk' ? file.code : String(file.source);
        };
        let html = String(page.source)
          .replace(/<script type="module"[^>]*\ssrc="([^"]+)"[^>]*><\/script>/g, (_tag, src: string) => {
            return `<script type="module">${fileText(src).replace(/<\/script/gi, '<\\/script')}</script>`;
          })
          .replace(/<link rel="stylesheet"[^>]*\shref="([^"]+)"[^>]*>/g, (_tag, href: string) => {
            return `<style>${fileText(href).replace(/<\/style/gi, '<\\/style')}</style>`;
          });
        const left = Object.keys(bundle).filter((name) => !used.has(name));
        if (left.length > 0) {
          throw new Error(`MCP App ${app.folder}: ${left.join(', ')} could not be inlined (an app must be one file)`);
        }
        if (!html.includes(`<meta name="${APP_MARKER_META}" content="${app.folder}"`)) {
          throw new Error(
            `MCP App ${app.folder}: index.html lacks <meta name="${APP_MARKER_META}" content="${app.folder}">`,
          );
        }
        if (html.length > MAX_APP_HTML_CHARS) {
          throw new Error(`MCP App ${app.folder}: ${html.length} characters, over the ${MAX_APP_HTML_CHARS} limit`);
        }
        html = html.replace(/\n\s*\n/g, '\n');
        for (const name of used) delete bundle[name];
        this.emitFile({ type: 'asset', fileName: app.file, source: html });
      },
    },
  };
}
