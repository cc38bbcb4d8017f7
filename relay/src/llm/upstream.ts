/**
 * One try at one provider: POST the request, read the SSE response with a connect timeout
 * (until the response headers) and an idle timeout (between chunks), and hand each decoded
 * part on as it arrives (nothing is held back). The outcome says whether the provider's
 * end-of-message marker arrived: a stream that ends without it is `truncated`, never a success.
 */
import { createParser } from 'eventsource-parser';
import type { LlmFinishReason, LlmUsage, ParsedLlmChatRequest } from '@vial/shared';
import type { LlmFailure } from './failure.ts';
import type { ProviderAdapter, StreamPart } from './providers/types.ts';

export interface AttemptOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface AttemptHandlers {
  delta(text: string): void;
  usage(usage: LlmUsage): void;
}

export type AttemptOutcome =
  | { ok: true; reason: LlmFinishReason; usage: LlmUsage | undefined }
  | { ok: false; failure: LlmFailure; usage: LlmUsage | undefined };

/** Error bodies past this are cut: the message only needs the start. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

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
  const timer = setTimeout(() => {
    timedOut ??= `${adapter.name} sent no response headers within ${options.connectTimeoutMs} ms (VIAL_LLM_CONNECT_TIMEOUT_MS)`;
    controller.abort();
  }, options.connectTimeoutMs);
  let usage: LlmUsage | undefined;

  /** Why reading stopped early, in the gateway's words: the tab left, a timer fired, or the connection broke. */
  const interrupted = (error: unknown): LlmFailure => {
    if (options.signal.aborted) return { class: 'cancelled', message: 'the tab cancelled the request' };
    if (timedOut) return { class: 'timeout', message: timedOut };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return { class: 'network', message: `${adapter.name}: connection failed or was cut (${detail})` };
  };

  try {
    const upstream = adapter.request(model, chat);
    let response: Response;
    try {
      response = await fetch(upstream.url, {
        method: 'POST',
        headers: upstream.headers,
        body: upstream.body,
        signal: controller.signal,
      });
    } catch (error) {
      return { ok: false, failure: interrupted(error), usage };
    }
    // From here the idle timeout applies: reset by every chunk that arrives.
    clearTimeout(timer);
    const idle = setTimeout(() => {
      timedOut ??= `${adapter.name} sent nothing for ${options.idleTimeoutMs} ms (VIAL_LLM_IDLE_TIMEOUT_MS)`;
      controller.abort();
    }, options.idleTimeoutMs);
    try {
      if (!response.ok || !response.body) {
        const body = response.body ? await readCapped(response.body, MAX_ERROR_BODY_BYTES, idle) : '';
        return { ok: false, failure: adapter.classify(response.status, response.headers, body), usage };
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
      const reader = response.body.getReader();
      const text = new TextDecoder();
      try {
        while (!done && !failure) {
          const chunk = await reader.read();
          if (chunk.done) break;
          idle.refresh();
          parser.feed(text.decode(chunk.value, { stream: true }));
        }
      } catch (error) {
        failure ??= interrupted(error);
      } finally {
        // Past the end marker (or an error) nothing more is wanted; this also closes a stream that lingers.
        void reader.cancel().catch(() => undefined);
      }
      if (failure) return { ok: false, failure, usage };
      if (!done) {
        return {
          ok: false,
          failure: {
            class: 'truncated',
            message: `${adapter.name}'s stream ended before its end-of-message marker: the answer is incomplete`,
          },
          usage,
        };
      }
      return { ok: true, reason: reason ?? 'other', usage };
    } catch (error) {
      return { ok: false, failure: interrupted(error), usage };
    } finally {
      clearTimeout(idle);
    }
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', cancel);
  }
}

/** The body as text, stopping after `limit` bytes; each chunk resets the idle timer. */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number, idle: NodeJS.Timeout): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const chunk = await reader.read();
      if (chunk.done) break;
      idle.refresh();
      chunks.push(chunk.value);
      size += chunk.value.length;
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}
