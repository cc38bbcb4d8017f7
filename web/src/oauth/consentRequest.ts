/**
 * The consent page's talk with the relay about the consent its address names (`/consent/<uid>`): its
 * details (`GET /consent/<uid>/details`, bound by cookie to the browser that started the sign-in)
 * and the wait for the person's decision (`GET /consent/<uid>/wait`, long-polled until it says
 * where to go next). Every answer is parsed before use; every failure says what happened and
 * what the person can do.
 */
import { consentIdSchema, hostIdSchema, oauthClientSchema, scopeSchema, SCOPES } from '@vial/shared';
import { z } from 'zod';

export const consentDetailsSchema = z.object({
  hostId: hostIdSchema,
  consentId: consentIdSchema,
  client: oauthClientSchema,
  scopes: z.array(scopeSchema).max(SCOPES.length),
  requestedFrom: z.string().max(64),
  expiresAt: z.number().int(),
  matchCode: z.string().min(1).max(64),
});
export type ConsentDetails = z.infer<typeof consentDetailsSchema>;

const waitAnswerSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending') }),
  z.object({ state: z.literal('done'), redirectTo: z.string().min(1).max(8192) }),
]);

/** Why the page cannot go on: the consent is gone (unknown, expired, or another browser's), or the relay is unreachable or odd. */
export type ConsentProblem = { kind: 'gone' | 'network' | 'bad-answer'; message: string };

export const GONE_MESSAGE =
  'This sign-in request is unknown or has expired (requests last about 10 minutes, and only the browser that started one can open it). ' +
  'Start the sign-in again from your MCP client.';

type Fetch = typeof fetch;

/** `{ ok: true, value }` or the problem, for the page to show. */
export type Outcome<T> = { ok: true; value: T } | ({ ok: false } & ConsentProblem);

async function getJson(url: string, fetchImpl: Fetch, signal?: AbortSignal): Promise<Outcome<unknown>> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    return {
      ok: false,
      kind: 'network',
      message: `Could not reach the Vial relay (${(error as Error).message}). Check your connection; this page tries again.`,
    };
  }
  if (response.status === 404 || response.status === 410) return { ok: false, kind: 'gone', message: GONE_MESSAGE };
  if (!response.ok) {
    const detail = await response
      .json()
      .then((body: unknown) => z.object({ error: z.string().max(500) }).safeParse(body).data?.error)
      .catch(() => undefined);
    return {
      ok: false,
      kind: response.status >= 500 ? 'network' : 'bad-answer',
      message: `The relay answered ${response.status}${detail ? `: ${detail}` : ''}.`,
    };
  }
  try {
    return { ok: true, value: await response.json() };
  } catch {
    return { ok: false, kind: 'bad-answer', message: 'The relay answered with something that is not JSON.' };
  }
}

function parsed<T>(outcome: Outcome<unknown>, schema: z.ZodType<T>, what: string): Outcome<T> {
  if (!outcome.ok) return outcome;
  const result = schema.safeParse(outcome.value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    kind: 'bad-answer',
    message: `The relay's ${what} could not be read: ${z.prettifyError(result.error)}`,
  };
}

export async function fetchConsentDetails(uid: string, fetchImpl: Fetch = fetch): Promise<Outcome<ConsentDetails>> {
  return parsed(await getJson(`/consent/${uid}/details`, fetchImpl), consentDetailsSchema, 'consent details');
}

/**
 * Where the browser goes once the consent is decided: an http(s) address (the relay's own resume
 * step, which sends it on to the client), resolved against this page. Anything else is refused.
 */
export function safeRedirect(redirectTo: string, base: string): string | undefined {
  try {
    const url = new URL(redirectTo, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export interface WaitOptions {
  fetch?: Fetch;
  signal?: AbortSignal;
  /** The page's address, to resolve a relative `redirectTo`. */
  base: string;
  /** Told of a passing problem (the network), and of its end (`undefined`), while the wait goes on. */
  onProblem?: (problem: ConsentProblem | undefined) => void;
  /** Pause between polls that answered at once, and before retrying after a network failure. */
  retryMs?: number;
}

/**
 * Polls `/consent/<uid>/wait` until the relay says where to go, and returns that address. Ends
 * early with the problem when the consent is gone or the relay's answer cannot be read; keeps
 * trying through network failures, telling `onProblem`.
 */
export async function waitForDecision(uid: string, options: WaitOptions): Promise<Outcome<string>> {
  const { fetch: fetchImpl = fetch, signal, base, onProblem, retryMs = 1000 } = options;
  const pause = () => new Promise((resolve) => setTimeout(resolve, retryMs));
  for (;;) {
    const answer = parsed(await getJson(`/consent/${uid}/wait`, fetchImpl, signal), waitAnswerSchema, 'wait answer');
    if (!answer.ok) {
      if (answer.kind !== 'network') return answer;
      onProblem?.(answer);
      await pause();
      continue;
    }
    onProblem?.(undefined);
    if (answer.value.state === 'done') {
      const target = safeRedirect(answer.value.redirectTo, base);
      if (target !== undefined) return { ok: true, value: target };
      return { ok: false, kind: 'bad-answer', message: 'The relay asked to go to an address that is not http(s).' };
    }
    // A long poll that answered `pending` at once must not become a busy loop.
    await pause();
  }
}
