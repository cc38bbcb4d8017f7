/**
 * Who may host on this relay, and which hosts may use its LLM keys: the operator's decision.
 *
 * - `open`: any tab that proves it owns its host id is a host (the quick start on loopback).
 * - `enrolment`: a tab needs an enrolment code the operator minted (`pnpm relay:enrol`), which
 *   it redeems once for an admission ticket; later registrations present the ticket. Codes and
 *   tickets are HMACs under `VIAL_ADMISSION_SECRET`, so they need no storage, survive restarts
 *   and hold on every relay that shares the secret. Rotating the secret revokes every ticket.
 *   Host ids listed in `VIAL_ADMITTED_HOSTS` are admitted without a ticket.
 *
 * LLM access is a separate grant: `all` admitted hosts, or only `granted` ones (a code minted
 * with `--llm`, whose ticket carries it, or a host id in `VIAL_LLM_HOSTS`), or `none`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export type AdmissionMode = 'open' | 'enrolment';
export type LlmAccess = 'all' | 'granted' | 'none';

export interface AdmissionConfig {
  mode: AdmissionMode;
  /** Required for `enrolment`. */
  secret: string | undefined;
  admittedHosts: string[];
  llmAccess: LlmAccess;
  llmHosts: string[];
}

export type AdmissionResult =
  | {
      ok: true;
      llm: boolean;
      /** A ticket to hand the tab: set when it redeemed a code. */
      ticket?: string;
    }
  | { ok: false; reason: string };

export interface Admission {
  readonly mode: AdmissionMode;
  admit(hostId: string, presented: { admission?: string; enrolment?: string }): AdmissionResult;
}

const CODE_PREFIX = 've1';
const TICKET_PREFIX = 'va1';
/** Longest an enrolment code may live; the set of redeemed codes is kept that long. */
export const MAX_ENROLMENT_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const codePayloadSchema = z.object({
  /** Random, so two codes differ and a redeemed one can be remembered. */
  n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  /** Expiry, epoch ms. */
  e: z.number().int().positive(),
  /** Whether the host it admits may use the relay's LLM keys. */
  l: z.boolean(),
});

function mac(secret: string, purpose: string, text: string): string {
  return createHmac('sha256', secret).update(`vial-${purpose}|${text}`).digest('base64url');
}

function macMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A one-time enrolment code for the operator to hand to a person. */
export function mintEnrolmentCode(
  secret: string,
  options: { llm: boolean; ttlMs: number },
  now: number = Date.now(),
): string {
  if (!(options.ttlMs > 0 && options.ttlMs <= MAX_ENROLMENT_TTL_MS)) {
    throw new RangeError(`an enrolment code lives between 1 ms and ${MAX_ENROLMENT_TTL_MS / 86_400_000} days`);
  }
  const payload = Buffer.from(
    JSON.stringify({ n: randomBytes(16).toString('base64url'), e: now + options.ttlMs, l: options.llm }),
  ).toString('base64url');
  return `${CODE_PREFIX}.${payload}.${mac(secret, 'enrol', payload)}`;
}

function ticketFor(secret: string, hostId: string, llm: boolean): string {
  const grant = llm ? '1' : '0';
  return `${TICKET_PREFIX}.${grant}.${mac(secret, 'admission', `${hostId}|${grant}`)}`;
}

export function createAdmission(config: AdmissionConfig, now: () => number = Date.now): Admission {
  const admitted = new Set(config.admittedHosts);
  const llmHosts = new Set(config.llmHosts);
  /** Codes already redeemed on this relay, until they expire. */
  const redeemed = new Map<string, number>();

  const llmFor = (hostId: string, granted: boolean) =>
    config.llmAccess === 'all' || (config.llmAccess === 'granted' && (granted || llmHosts.has(hostId)));

  function redeem(secret: string, hostId: string, code: string): AdmissionResult {
    const [prefix, payload = '', signature = '', ...rest] = code.split('.');
    if (prefix !== CODE_PREFIX || rest.length > 0 || !macMatches(mac(secret, 'enrol', payload), signature)) {
      return { ok: false, reason: 'the enrolment code is not one this relay issued; check it was copied whole' };
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload, 'base64url').toString());
    } catch {
      return { ok: false, reason: 'the enrolment code is not one this relay issued; check it was copied whole' };
    }
    const parsed = codePayloadSchema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'the enrolment code is malformed' };
    const { n: nonce, e: expiresAt, l: llm } = parsed.data;
    const time = now();
    for (const [used, expiry] of redeemed) if (expiry <= time) redeemed.delete(used);
    if (expiresAt <= time)
      return { ok: false, reason: 'the enrolment code has expired; ask the operator for a new one' };
    if (redeemed.has(nonce)) {
      return { ok: false, reason: 'the enrolment code was already used; each code admits one host' };
    }
    redeemed.set(nonce, expiresAt);
    return { ok: true, llm: llmFor(hostId, llm), ticket: ticketFor(secret, hostId, llm) };
  }

  return {
    mode: config.mode,
    admit(hostId, presented) {
      if (config.mode === 'open') return { ok: true, llm: llmFor(hostId, false) };
      const secret = config.secret!;
      // A code first, even beside a valid ticket: a code minted with --llm is how an admitted host gets LLM access.
      const redeemed = presented.enrolment === undefined ? undefined : redeem(secret, hostId, presented.enrolment);
      if (redeemed?.ok) return redeemed;
      if (presented.admission !== undefined) {
        const [, grant] = presented.admission.split('.');
        const valid =
          (grant === '0' || grant === '1') && macMatches(ticketFor(secret, hostId, grant === '1'), presented.admission);
        if (valid) return { ok: true, llm: llmFor(hostId, grant === '1') };
      }
      if (admitted.has(hostId)) return { ok: true, llm: llmFor(hostId, false) };
      if (redeemed) return redeemed;
      if (presented.admission !== undefined) {
        return {
          ok: false,
          reason:
            'this host is not admitted here any more (its ticket was revoked or is for another relay); enter a new enrolment code from the operator',
        };
      }
      return {
        ok: false,
        reason:
          'this relay admits hosts by enrolment: enter the enrolment code or open the enrolment link its operator gave you',
      };
    },
  };
}
