/**
 * Model and data downloads with the tab's size limit enforced while the bytes arrive (a server's
 * Content-Length is believed only to refuse early), and failures that say what to do.
 *
 * The URL was checked before it reached the Worker (`fetchGuard.ts`), so nothing here may
 * lead elsewhere: redirects are refused, not followed (the next address would not be checked),
 * no cookies are sent, and no error quotes what a server sent (its status number only).
 */
import { messageOf, MlError } from './errors.ts';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function tooLarge(what: string, bytes: number | undefined, maxBytes: number): MlError {
  const size = bytes === undefined ? `more than ${formatBytes(maxBytes)}` : formatBytes(bytes);
  return new MlError(
    `${what} is ${size}, over this tab's model size limit of ${formatBytes(maxBytes)}. Raise "Largest model" in the Models view, or use a smaller model.`,
  );
}

export interface Downloaded {
  bytes: ArrayBuffer;
  contentType: string;
}

/** Fetches `url` into memory, refusing it once it passes `maxBytes` (`budget` for several files). */
export async function download(url: URL, maxBytes: number, budget = { used: 0 }): Promise<Downloaded> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', credentials: 'omit' });
  } catch (error) {
    throw new MlError(
      `Could not fetch ${url.href}: ${messageOf(error)}. Check the URL, and that its server allows this origin (CORS).`,
    );
  }
  // A browser hands back an opaque response for a redirect; Node, the 3xx itself.
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    await response.body?.cancel();
    throw new MlError(
      `${url.href} answered with a redirect, which Vial does not follow (the address it leads to would not have been checked). Give the file's final URL.`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new MlError(`${url.href} answered HTTP ${response.status}; check the URL.`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && budget.used + declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(`The model at ${url.href}`, budget.used + declared, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    budget.used += value.byteLength;
    if (budget.used > maxBytes) {
      await reader.cancel();
      throw tooLarge(`The model at ${url.href}`, undefined, maxBytes);
    }
    chunks.push(value);
  }
  return { bytes: concatBytes(chunks), contentType: response.headers.get('content-type') ?? '' };
}

/** One buffer holding `parts` in order (a download's chunks, a model's weight files). */
export function concatBytes(parts: Array<ArrayBuffer | Uint8Array>): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part instanceof Uint8Array ? part : new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out.buffer;
}

/** A hint for bytes a runtime could not parse: an HTML page is the usual wrong URL. */
export function notAModel(what: string, url: string, contentType: string, reason: string): MlError {
  const html = contentType.includes('text/html') ? ' The server sent an HTML page, not model bytes.' : '';
  return new MlError(`${url} is not ${what}: ${reason}.${html} Point model_load at the model file itself.`);
}
