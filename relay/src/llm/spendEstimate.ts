/**
 * What an attempt may cost before it runs, and what it cost when the provider did not say.
 *
 * Before: every input byte counted as a token (no tokenizer makes a token of less than a byte)
 * plus a few per message for roles and separators, and the request's whole `maxTokens` of
 * output. That is a ceiling, so holds made with it cannot be overshot.
 *
 * After, without the provider's final usage, the charge is an estimate and is marked as one:
 * - a stream from a provider that reports usage, cut or aborted after it began: the ceiling.
 *   What the provider bills then cannot be known (a reasoning model may have thought for
 *   thousands of tokens before its first word), so the operator is charged the most it could be;
 * - a server that reports no usage at all: the text that went in and came out at about four
 *   bytes a token, never less than anything it did report.
 * An attempt refused before its stream began (an error status, no headers in time) costs nothing.
 */
import type { LlmUsage, ParsedLlmChatRequest } from '@vial/shared';

/** Tokens a chat template adds around each message (role markers, separators): generous. */
const TOKENS_PER_MESSAGE = 16;
/** Typical UTF-8 bytes per token of English text and code, for estimates after the fact. */
const BYTES_PER_TOKEN_ESTIMATE = 4;

export function inputBytesOf(chat: ParsedLlmChatRequest): number {
  let bytes = Buffer.byteLength(chat.system ?? '');
  for (const message of chat.messages) bytes += Buffer.byteLength(message.content);
  return bytes;
}

/** The most an attempt at `chat` can use; `chat.maxTokens` must be set (the endpoint sets a default). */
export function usageCeiling(chat: ParsedLlmChatRequest, inputBytes: number): LlmUsage {
  return {
    inputTokens: inputBytes + TOKENS_PER_MESSAGE * (chat.messages.length + 1),
    outputTokens: chat.maxTokens ?? 0,
  };
}

/**
 * The usage to charge for an attempt: the provider's final report when it came, else an estimate
 * from the bytes in and out, never below what the provider reported before it stopped.
 */
export function usageToCharge(attempt: {
  reported: LlmUsage | undefined;
  /** The attempt ended with the provider's end-of-message marker: `reported` is what it bills. */
  final: boolean;
  /** A 2xx stream began: the provider accepted the request. */
  streamed: boolean;
  reportsUsage: boolean;
  ceiling: LlmUsage;
  inputBytes: number;
  outputBytes: number;
}): { usage: LlmUsage; estimated: boolean } {
  const { reported, inputBytes, outputBytes } = attempt;
  if (reported && attempt.final) return { usage: reported, estimated: false };
  if (!attempt.streamed && !attempt.final) return { usage: { inputTokens: 0, outputTokens: 0 }, estimated: false };
  if (attempt.reportsUsage && !attempt.final) return { usage: attempt.ceiling, estimated: true };
  const estimate = (bytes: number) => Math.ceil(bytes / BYTES_PER_TOKEN_ESTIMATE);
  return {
    usage: {
      ...reported,
      inputTokens: Math.max(reported?.inputTokens ?? 0, estimate(inputBytes)),
      outputTokens: Math.max(reported?.outputTokens ?? 0, estimate(outputBytes)),
    },
    estimated: true,
  };
}
