import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

export type StaticSite = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * What the app and its Workers may load and who may frame it. Scripts only from this origin
 * (WebAssembly compiled from them, for onnxruntime and the simulators, and `blob:` modules its
 * own code makes: transformers.js imports its onnxruntime glue that way), no plugins, no base or
 * form retargeting, and no framing at all: an approval panel inside a hostile page could be
 * clickjacked. Fetches may go to any http(s) origin: the person loads models and data from URLs
 * of their choosing, and the tab's own guard decides which a remote client may reach.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' https: http: wss: ws: data: blob:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  // For browsers that predate frame-ancestors.
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Serves the built web app. Cross-origin isolation headers let the app's workers use
 * SharedArrayBuffer and threaded WASM; the security headers above go with every file, Workers'
 * scripts included (a Worker's policy comes from its own script's response); unknown paths fall
 * back to index.html (client routing).
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
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    serve(req, res);
  };
}
