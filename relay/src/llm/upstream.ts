/**
 * One try at one provider: POST the request, read the SSE response with a connect timeout
 * (until the response headers) and an idle timeout (between chunks), and hand each decoded
 * part on as it arrives (nothing is held back). While the tab is behind, reading stops until it
 * catches up, so a slow tab holds the provider back instead of the relay buffering the answer.
 * The outcome says whether the provider's end-of-message marker arrived: a stream that ends
 * without it is `truncated`, never a success.
 *
 * It uses node:http(s) rather than fetch: fetch's WHATWG streams cost about 0.45 ms more per
 * request before the first byte (measured against the stand-ins), which is most of the
 * gateway's budget for added time to first token. The global agents keep connections alive.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { createParser } from 'eventsource-parser';
import type { LlmFinishReason, LlmUsage, ParsedLlmChatRequest } from '@vial/shared';
import type { LlmFailure } from './failure.ts';
import type { ProviderAdapter, StreamPart, UpstreamRequest } from './providers/types.ts';

export interface AttemptOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface AttemptHandlers {
  delta(text: string): void;
  usage(usage: LlmUsage): void;
  /** Undefined when the tab can take more now; otherwise settles once it can (or has gone). */
  drained(): Promise<void> | undefined;
}

export type AttemptOutcome =
  | { ok: true; reason: LlmFinishReason; usage: LlmUsage | undefined }
  | {
      ok: false;
      failure: LlmFailure;
      usage: LlmUsage | undefined;
      /** The provider had accepted the request (a 2xx stream began): it bills for what it did. */
      streamed: boolean;
    };

/** Error bodies past this are cut: the message only needs the start. */
const MAX_ERROR_BODY_CHARS = 64 * 1024;
/** After the end marker, how long the rest of a response may take before its connection is dropped instead of reused. */
const LINGER_MS = 1000;

export async function streamAttempt(
  adapter: ProviderAdapter,
  model: string,
  chat: ParsedLlmChatRequest,
  options: AttemptOptions,
  handlers: AttemptHandlers,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  options.signal.addEventListener('abort', cancel, { once: true });
  let timedOut: string | undefined;
  const expire = (message: string) => () => {
    timedOut ??= message;
    controller.abort();
  };
  const connectTimer = setTimeout(
    expire(
      `${adapter.name} sent no response headers within ${options.connectTimeoutMs} ms (VIAL_LLM_CONNECT_TIMEOUT_MS)`,
    ),
    options.connectTimeoutMs,
  );
  let idleTimer: NodeJS.Timeout | undefined;
  let attemptOver = false;
  /** The idle timeout measures the provider's silence, so it runs only while the relay is reading. */
  const startIdleTimer = () => {
    if (attemptOver) return;
    idleTimer = setTimeout(
      expire(`${adapter.name} sent nothing for ${options.idleTimeoutMs} ms (VIAL_LLM_IDLE_TIMEOUT_MS)`),
      options.idleTimeoutMs,
    );
  };
  let usage: LlmUsage | undefined;

  /** Why reading stopped early, in the gateway's words: the tab left, a timer fired, or the connection broke. */
  const interrupted = (error: unknown): LlmFailure => {
    if (options.signal.aborted) return { class: 'cancelled', message: 'the tab cancelled the request' };
    if (timedOut) return { class: 'timeout', message: timedOut };
    const detail = (error as { code?: string }).code ?? (error as Error).message;
    return { class: 'network', message: `${adapter.name}: the connection failed or was cut (${detail})` };
  };

  try {
    let response: IncomingMessage;
    try {
      response = await post(adapter.request(model, chat), controller.signal);
    } catch (error) {
      return { ok: false, failure: interrupted(error), usage, streamed: false };
    }
    clearTimeout(connectTimer);
    // From here the idle timeout applies: every chunk that arrives restarts it.
    startIdleTimer();
    response.setEncoding('utf8');
    const status = response.statusCode ?? 0;

    if (status < 200 || status > 299) {
      let body = '';
      try {
        await consume(response, (text) => {
          idleTimer?.refresh();
          body += text;
          return body.length >= MAX_ERROR_BODY_CHARS;
        });
      } catch (error) {
        if (options.signal.aborted) return { ok: false, failure: interrupted(error), usage, streamed: false };
      }
      return {
        ok: false,
        failure: adapter.classify(status, headersOf(response), body.slice(0, MAX_ERROR_BODY_CHARS)),
        usage,
        streamed: false,
      };
    }

    let failure: LlmFailure | undefined;
    let reason: LlmFinishReason | undefined;
    let done = false;
    const decoder = adapter.decoder();
    const emit = (part: StreamPart) => {
      switch (part.type) {
        case 'delta':
          return handlers.delta(part.text);
        case 'usage':
          usage = part.usage;
          return handlers.usage(part.usage);
        case 'finish':
          reason = part.reason;
          return;
        case 'error':
          failure ??= part.failure;
          return;
        case 'done':
          done = true;
          return;
      }
    };
    const parser = createParser({
      onEvent(event) {
        if (!done && !failure) decoder.decode(event, emit);
      },
    });
    /** Pauses reading while the tab is behind; the provider cannot be heard then, so its idle clock stops too. */
    const tabBehind = () => {
      const drained = handlers.drained();
      if (!drained) return undefined;
      clearTimeout(idleTimer);
      return drained.then(startIdleTimer);
    };
    try {
      await consume(
        response,
        (text) => {
          idleTimer?.refresh();
          parser.feed(text);
          return done || failure !== undefined;
        },
        tabBehind,
      );
    } catch (error) {
      failure ??= interrupted(error);
    }
    if (failure) return { ok: false, failure, usage, streamed: true };
    if (!done) {
      return {
        ok: false,
        failure: {
          class: 'truncated',
          message: `${adapter.name}'s stream ended before its end-of-message marker: the answer is incomplete`,
        },
        usage,
        streamed: true,
      };
    }
    return { ok: true, reason: reason ?? 'other', usage };
  } finally {
    attemptOver = true;
    clearTimeout(connectTimer);
    clearTimeout(idleTimer);
    options.signal.removeEventListener('abort', cancel);
  }
}

/** Sends the request; resolves with the response once its headers are in. Aborting `signal` destroys the connection. */
function post(upstream: UpstreamRequest, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const { secure, ...target } = targetOf(upstream.url);
    const req = (secure ? httpsRequest : httpRequest)(
      {
        ...target,
        method: 'POST',
        headers: { ...upstream.headers, 'content-length': Buffer.byteLength(upstream.body) },
      },
      resolve,
    );
    // Wired by hand: a `signal` option makes Node watch the request's end of stream, and with a
    // `URL` object instead of plain options the two were half of Node's request set-up (159
    // against 77 µs, measured cold; bench/RESULTS.md "On a 16-core machine").
    const abort = () => req.destroy(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    req.once('close', () => signal.removeEventListener('abort', abort));
    req.once('error', reject);
    req.end(upstream.body);
  });
}

type Target = Pick<RequestOptions, 'protocol' | 'hostname' | 'port' | 'auth' | 'path'> & { secure: boolean };

/** Provider origins as `http.request` options, parsed once each: there are as many as configured providers. */
const origins = new Map<string, Omit<Target, 'path'>>();

/**
 * `http.request` options for `url`. Only the origin is parsed, once; the rest of the URL is
 * already a request path (the adapters encode what they put in it).
 */
function targetOf(url: string): Target {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const origin = pathStart === -1 ? url : url.slice(0, pathStart);
  let parsed = origins.get(origin);
  if (!parsed) {
    // What Node itself makes of a URL object per request; made once here.
    const { protocol, hostname, port, auth } = urlToHttpOptions(new URL(origin));
    parsed = { protocol, hostname, port, auth, secure: protocol === 'https:' };
    origins.set(origin, parsed);
  }
  return { ...parsed, path: pathStart === -1 ? '/' : url.slice(pathStart) };
}

/**
 * Feeds the response's text to `onText` until it returns true (then the rest is drained, so the
 * connection can be reused) or the response ends. Rejects if the connection closes first. After
 * each piece, `backlog` may return a promise: reading pauses until it settles, and the unread
 * response fills the socket buffers, then the provider's.
 */
function consume(
  response: IncomingMessage,
  onText: (text: string) => boolean,
  backlog: () => Promise<void> | undefined = () => undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      response.off('data', onData);
      response.off('end', onEnd);
      response.off('close', onClose);
      response.off('error', onError);
    };
    const onData = (text: string) => {
      if (!onText(text)) {
        const caughtUp = backlog();
        if (caughtUp) {
          response.pause();
          void caughtUp.then(() => response.resume());
        }
        return;
      }
      cleanup();
      drain(response);
      resolve();
    };
    const onEnd = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () =>
      onError(Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' }));
    response.on('data', onData);
    response.once('end', onEnd);
    response.once('error', onError);
    response.once('close', onClose);
  });
}

function drain(response: IncomingMessage): void {
  if (response.readableEnded) return;
  response.on('error', () => undefined);
  const linger = setTimeout(() => response.destroy(), LINGER_MS).unref();
  response.once('end', () => clearTimeout(linger));
  response.resume();
}

function headersOf(response: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return headers;
}
