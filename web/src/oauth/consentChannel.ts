/**
 * The same-browser handoff between a consent page and the running Vial tab, both ends, over
 * `BroadcastChannel('vial-consent')`. The page has no socket to the relay as the host (it must
 * not register: that would take the host from the running tab), so it asks the tab that serves
 * the host to send the person's decision, with the match code the page was given, as a frame on
 * the tab's own socket. The relay checks that code and the socket's host as it does for any
 * decision.
 *
 * Messages come from any same-origin context, so each end parses what it hears and ignores what
 * is not for its host.
 */
import { consentIdSchema, hostIdSchema, scopeSchema, SCOPES } from '@vial/shared';
import { z } from 'zod';

export const CONSENT_CHANNEL = 'vial-consent';

const requestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const decisionSchema = z.object({
  approve: z.boolean(),
  scopes: z.array(scopeSchema).max(SCOPES.length).optional(),
  grantDays: z.number().int().min(1).max(365).optional(),
  matchCode: z.string().max(64).optional(),
});
export type ChannelDecision = z.infer<typeof decisionSchema>;

const messageSchema = z.discriminatedUnion('type', [
  /** Page: is a tab serving this host here? */
  z.object({ type: z.literal('find'), requestId: requestIdSchema, hostId: hostIdSchema }),
  /** Tab: yes. */
  z.object({ type: z.literal('here'), requestId: requestIdSchema, hostId: hostIdSchema }),
  /** Page: send this decision for this consent. */
  z.object({
    type: z.literal('decide'),
    requestId: requestIdSchema,
    hostId: hostIdSchema,
    consentId: consentIdSchema,
    decision: decisionSchema,
  }),
  /** Tab: sent (`ok`), or why not. */
  z.object({
    type: z.literal('decided'),
    requestId: requestIdSchema,
    hostId: hostIdSchema,
    ok: z.boolean(),
    error: z.string().max(300).optional(),
  }),
]);
type Message = z.infer<typeof messageSchema>;

/** The part of a BroadcastChannel both ends use, so tests can pass a real one or a pair of fakes. */
export interface ChannelPort {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

function listen(channel: ChannelPort, onMessage: (message: Message) => void): () => void {
  const listener = (event: MessageEvent) => {
    const parsed = messageSchema.safeParse(event.data);
    if (parsed.success) onMessage(parsed.data);
  };
  channel.addEventListener('message', listener);
  return () => channel.removeEventListener('message', listener);
}

/** What the running tab's end needs of `runtime.oauth` (web/src/server/oauthConsents.ts). */
export interface ConsentDecider {
  pending(): readonly { consentId: string }[];
  on(listener: () => void): () => void;
  decide(consentId: string, decision: ChannelDecision): boolean;
}

export interface ServeOptions {
  channel: ChannelPort;
  oauth: ConsentDecider;
  /** The host this tab serves, or undefined while it serves none (not started, replaced, offline). */
  servingHost: () => string | undefined;
  /**
   * The relay sends the consent to the tab when the page fetches its details, so a page quick to
   * decide may get here first: a decision waits this long for its consent to arrive.
   */
  arrivalMs?: number;
}

/** Decisions waiting for their consent to arrive, at most: a page sends one per click. */
const MAX_WAITING = 16;

/**
 * The running tab's end: answers `find` for the host it serves, and passes a page's decision to
 * `oauth.decide`, answering whether it was sent. Returns a function that stops serving.
 */
export function serveConsentChannel({ channel, oauth, servingHost, arrivalMs = 5000 }: ServeOptions): () => void {
  const waits = new Set<() => void>();
  let stopped = false;
  const isPending = (consentId: string) => oauth.pending().some((consent) => consent.consentId === consentId);

  function whenPending(consentId: string): Promise<boolean> {
    if (isPending(consentId)) return Promise.resolve(true);
    if (waits.size >= MAX_WAITING) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (arrived: boolean) => {
        clearTimeout(timer);
        off();
        waits.delete(cancel);
        resolve(arrived);
      };
      const cancel = () => done(false);
      const timer = setTimeout(cancel, arrivalMs);
      const off = oauth.on(() => {
        if (isPending(consentId)) done(true);
      });
      waits.add(cancel);
    });
  }

  async function decide(message: Extract<Message, { type: 'decide' }>): Promise<void> {
    const answer = (ok: boolean, error?: string): void => {
      if (!stopped)
        channel.postMessage({ type: 'decided', requestId: message.requestId, hostId: message.hostId, ok, error });
    };
    if (!(await whenPending(message.consentId))) {
      return answer(false, 'This Vial tab has no such request waiting: it may have been answered, or have expired.');
    }
    if (servingHost() !== message.hostId) return answer(false, 'This Vial tab stopped serving the host.');
    if (!oauth.decide(message.consentId, message.decision)) {
      return answer(false, 'This Vial tab could not send the decision: it is not connected to the relay.');
    }
    answer(true);
  }

  const stop = listen(channel, (message) => {
    if (message.hostId !== servingHost()) return;
    if (message.type === 'find')
      channel.postMessage({ type: 'here', requestId: message.requestId, hostId: message.hostId });
    else if (message.type === 'decide') void decide(message);
  });
  return () => {
    stopped = true;
    stop();
    for (const cancel of [...waits]) cancel();
  };
}

export type HandoffResult = { ok: true } | { ok: false; error: string };

/** The consent page's end: finds the tab that serves `hostId` in this browser and hands it the decision. */
export class ConsentHandoff {
  constructor(
    private readonly channel: ChannelPort,
    private readonly hostId: string,
  ) {}

  /** Whether a tab serving the host answers within `timeoutMs`. */
  async findTab(timeoutMs = 2000): Promise<boolean> {
    const answer = await this.ask({ type: 'find' }, 'here', timeoutMs);
    return answer !== undefined;
  }

  /**
   * Asks the tab to send `decision` for `consentId`. The tab may wait up to its arrival time for the
   * consent to reach it, so `timeoutMs` is longer than that.
   */
  async decide(consentId: string, decision: ChannelDecision, timeoutMs = 8000): Promise<HandoffResult> {
    const answer = await this.ask({ type: 'decide', consentId, decision }, 'decided', timeoutMs);
    if (answer === undefined) {
      return {
        ok: false,
        error: 'No Vial tab for this host answered in this browser. Open the Vial app here and try again.',
      };
    }
    if (answer.type !== 'decided' || !answer.ok) {
      return {
        ok: false,
        error: (answer.type === 'decided' && answer.error) || 'The Vial tab did not take the decision.',
      };
    }
    return { ok: true };
  }

  private ask(
    question: { type: 'find' } | { type: 'decide'; consentId: string; decision: ChannelDecision },
    answerType: 'here' | 'decided',
    timeoutMs: number,
  ): Promise<Message | undefined> {
    const requestId = crypto.randomUUID().replaceAll('-', '');
    return new Promise((resolve, reject) => {
      const finish = (message: Message | undefined) => {
        clearTimeout(timer);
        stop();
        resolve(message);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const stop = listen(this.channel, (message) => {
        if (message.type === answerType && message.requestId === requestId && message.hostId === this.hostId) {
          finish(message);
        }
      });
      try {
        this.channel.postMessage({ ...question, requestId, hostId: this.hostId });
      } catch (error) {
        // Not cloneable (a reactive proxy, say): the caller's bug, said rather than waited out.
        clearTimeout(timer);
        stop();
        reject(error as Error);
      }
    });
  }
}
