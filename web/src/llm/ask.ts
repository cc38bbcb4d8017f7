/**
 * Asks one or several models the same prompt through the relay's LLM gateway, in parallel, and
 * turns each outcome into an `AnswerRecord`. A model that fails (or that the relay refuses)
 * becomes an answer with its error: one provider down never fails the others. The tools and the
 * LLM view both ask through here.
 */
import type { LlmChatRequest, LlmMessage, LlmStreamEvent } from '@vial/shared';
import { LlmGatewayError, type LlmAnswer, type LlmGateway } from './gateway.ts';
import type { AnswerRecord } from './conversations.ts';

/** The most models one prompt is sent to at once (`multi_llm_query`, the LLM view). */
export const MAX_MODELS = 8;

export interface AskRequest {
  /** One entry per answer wanted: a model, or a model with fallbacks tried in order. */
  models: Array<{ model: string; fallbacks?: string[] }>;
  messages: LlmMessage[];
  system?: string;
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
}

export interface AskOptions {
  signal?: AbortSignal;
  /** Each stream event, with the index of the model it belongs to. */
  onEvent?(index: number, event: LlmStreamEvent): void;
  /** Called as each model's answer completes (or fails). */
  onAnswer?(index: number, answer: AnswerRecord): void;
}

export function ask(gateway: LlmGateway, request: AskRequest, options: AskOptions = {}): Promise<AnswerRecord[]> {
  return Promise.all(
    request.models.map(async ({ model, fallbacks }, index) => {
      const chat: Omit<LlmChatRequest, 'stream'> = {
        model: fallbacks?.length ? { fallbacks: [model, ...fallbacks] } : model,
        messages: request.messages,
        system: request.system,
        temperature: request.temperature,
        maxTokens: request.maxTokens,
        stop: request.stop,
      };
      const answer = await gateway
        .chat(chat, { signal: options.signal, onEvent: (event) => options.onEvent?.(index, event) })
        .then((reply) => toRecord(model, reply))
        .catch((error: unknown) => {
          if (!(error instanceof LlmGatewayError)) throw error;
          return { model, ok: false, text: '', error: { class: 'refused', message: error.message } } as AnswerRecord;
        });
      options.onAnswer?.(index, answer);
      return answer;
    }),
  );
}

function toRecord(model: string, answer: LlmAnswer): AnswerRecord {
  if (answer.ok) {
    return {
      model,
      ok: true,
      text: answer.text,
      answeredBy: `${answer.provider}:${answer.model}`,
      finishReason: answer.reason,
      usage: answer.usage,
      costUsd: answer.costUsd,
      latencyMs: answer.latencyMs,
      ttftMs: answer.ttftMs,
    };
  }
  const { error } = answer;
  return {
    model,
    ok: false,
    text: answer.text,
    ...(error.provider && error.model ? { answeredBy: `${error.provider}:${error.model}` } : {}),
    usage: answer.usage,
    costUsd: answer.costUsd,
    error: { class: error.class, message: error.message, truncated: error.truncated },
  };
}

/** One line for a failed answer, for tool errors and progress messages. */
export function describeFailure(answer: AnswerRecord): string {
  const partial = answer.error?.truncated ? ` (incomplete: ${answer.text.length} characters had arrived)` : '';
  return `${answer.model} failed (${answer.error?.class}): ${answer.error?.message}${partial}`;
}
