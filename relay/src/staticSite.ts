import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

export type StaticSite = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves the built web app. Cross-origin isolation headers let the app's workers use
 * SharedArrayBuffer and threaded WASM; unknown paths fall back to index.html (client routing).
 */
export function createStaticSite(webDir: string | undefined): StaticSite {
  if (!webDir || !existsSync(webDir)) {
    return (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`The web app is not built (looked in ${webDir ?? '<unset VIAL_WEB_DIR>'}). Run \`pnpm build\` first.`);
    };
  }
  const serve = sirv(webDir, { single: true, etag: true, gzip: false, brotli: false });
  return (req, res) => {
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    serve(req, res);
  };
}
