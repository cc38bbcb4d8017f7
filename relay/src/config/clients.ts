/** The relay's settings for MCP clients: request and buffer sizes, streams, sessions and rates. */
import { MiB, nonNegative, nonNegativeInt, positiveInt } from './parsers.ts';
import { setting } from './setting.ts';

export const CLIENTS = {
  title: 'Clients and sessions',
  intro:
    'What one MCP client may send and hold: bodies, unread responses, requests in flight, events kept for resuming a stream, sessions and request rates.',
  settings: {
    VIAL_MAX_BODY_BYTES: setting({
      to: 'maxBodyBytes',
      schema: positiveInt,
      default: 4 * MiB,
      meaning: 'Largest POST body; larger gets 413',
    }),
    VIAL_CLIENT_BUFFER_BYTES: setting({
      to: 'clientBufferBytes',
      schema: positiveInt,
      default: 4 * MiB,
      meaning: 'Unread bytes one response may hold for a client; past it the stream is cut and its calls cancelled',
    }),
    VIAL_SESSION_MAX_PENDING: setting({
      to: 'sessionMaxPending',
      schema: positiveInt,
      default: 256,
      meaning:
        'Requests one client session, or one token on the stateless 2026-07-28 era, may have waiting on the tab; more get a JSON-RPC error naming the limit',
    }),
    VIAL_EVENT_BUFFER: setting({
      to: 'eventBufferSize',
      schema: nonNegativeInt,
      default: 1000,
      meaning: 'Events kept per session for `Last-Event-ID` resumption (0 disables)',
    }),
    VIAL_EVENT_BUFFER_BYTES: setting({
      to: 'eventBufferBytes',
      schema: positiveInt,
      default: 8 * MiB,
      meaning: 'Bytes of events kept per session for resumption; the oldest go first past either limit',
    }),
    VIAL_HOST_MEMORY_BYTES: setting({
      to: 'hostMemoryBytes',
      schema: positiveInt,
      default: 32 * MiB,
      meaning: "Bytes of events all of one host's sessions keep for resumption; past it the host's oldest go first",
    }),
    VIAL_MEMORY_LIMIT_BYTES: setting({
      to: 'memoryLimitBytes',
      schema: positiveInt,
      default: 256 * MiB,
      meaning: 'Bytes of events the relay keeps for all hosts; past it the host keeping the most gives up its oldest',
    }),
    VIAL_SSE_KEEPALIVE_MS: setting({
      to: 'sseKeepAliveMs',
      schema: nonNegativeInt,
      default: 15_000,
      meaning: 'SSE keep-alive comment interval (0 disables)',
    }),
    VIAL_QUIET_ANSWER_MS: setting({
      to: 'quietAnswerMs',
      schema: nonNegativeInt,
      default: 10_000,
      meaning:
        'A 2026-07-28 request its tab has sent nothing for in this time gets an SSE head and keep-alive comments from the relay until the answer, so proxies and clients do not cut a long silent call (0 never)',
    }),
    VIAL_SSE_RETRY_MS: setting({
      to: 'sseRetryMs',
      schema: nonNegativeInt,
      default: 500,
      meaning: "`retry:` sent on each stream's priming event; keep it below `VIAL_ABANDON_GRACE_MS`",
    }),
    VIAL_ABANDON_GRACE_MS: setting({
      to: 'abandonGraceMs',
      schema: nonNegativeInt,
      default: 1000,
      meaning: 'How long a client may take to resume a closed stream before its calls are cancelled',
    }),
    VIAL_SESSION_IDLE_MS: setting({
      to: 'sessionIdleMs',
      schema: positiveInt,
      default: 60 * 60 * 1000,
      meaning: 'Idle client sessions are forgotten after this',
    }),
    VIAL_MAX_SESSIONS_PER_HOST: setting({
      to: 'maxSessionsPerHost',
      schema: positiveInt,
      default: 64,
      meaning:
        "Most client sessions one host keeps; past it only the opening token's own idle sessions make room, else 429 naming the limit. Also the most 2026-07-28 `subscriptions/listen` streams it keeps open, counted apart (past it, an in-band error naming the limit)",
    }),
    VIAL_MAX_SESSIONS_PER_TOKEN: setting({
      to: 'maxSessionsPerToken',
      schema: positiveInt,
      default: 32,
      meaning: 'Most client sessions one token keeps on its host, with the same rule; likewise its listen streams',
    }),
    VIAL_TOKEN_RATE: setting({
      to: 'tokenRate',
      schema: nonNegative,
      default: 5000,
      meaning: 'Requests per second one token may make on average; past it 429 with `Retry-After` (0 disables)',
    }),
    VIAL_TOKEN_BURST: setting({
      to: 'tokenBurst',
      schema: positiveInt,
      default: 10_000,
      meaning: 'Requests one token may make at once before `VIAL_TOKEN_RATE` applies',
    }),
    VIAL_AUTH_FAILURES_PER_MIN: setting({
      to: 'authFailuresPerMinute',
      schema: nonNegativeInt,
      default: 20,
      meaning: 'Failed authentications per client IP per minute; past it 429 before the token is checked (0 disables)',
    }),
  },
} as const;
