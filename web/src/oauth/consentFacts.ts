/**
 * What a consent screen says about the client asking, the same on the consent page and in the
 * running tab's panel: who it is (its name with any hidden characters shown, its site, its logo's
 * host, where its redirects go, and whether a metadata document names it or it registered itself),
 * which lifetimes a grant may have, and how a typed match code is read. Everything about the
 * client came from the client: it is shown, never trusted.
 */
import type { OAuthClient } from '@vial/shared';
import { hiddenWarning, revealHidden, type RevealedText } from '../ui/visibleText.ts';

export interface ClientFacts {
  /** The client's name with every hidden or direction character shown as ⟨U+…⟩. */
  name: string;
  /** Said when the name, site or identity held characters a person would not otherwise see. */
  hiddenWarning: string | undefined;
  /** The host of the client's own site, if it gave one that parses. */
  siteHost: string | undefined;
  logoHost: string | undefined;
  redirectHosts: string[];
  /** Set when every redirect goes to this machine. */
  loopbackWarning: string | undefined;
  /** "metadata document at <url>" or "registered dynamically". */
  identity: string;
  /** The metadata document's URL, for a link; undefined for a dynamically registered client. */
  metadataUrl: string | undefined;
}

export const LOOPBACK_WARNING =
  'Every redirect goes to this machine (localhost): fine for a client you run here, such as a CLI or a desktop app. ' +
  'If you did not just start a sign-in from a program on this computer, deny.';

export const DYNAMIC_REGISTRATION = 'registered dynamically (no metadata document vouches for its name)';

/** The host of an http(s) URL, or undefined for anything else (a client-written string). */
export function urlHost(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

export function clientFacts(client: OAuthClient): ClientFacts {
  const found: RevealedText['found'] = new Map();
  const name = revealHidden(client.name, found).text;
  const redirectHosts = client.redirectHosts.map((host) => revealHidden(host, found).text);
  const logoHost = client.logoHost === undefined ? undefined : revealHidden(client.logoHost, found).text;
  const metadataUrl = client.cimd ? revealHidden(client.clientId, found).text : undefined;
  return {
    name,
    hiddenWarning: hiddenWarning(found),
    siteHost: urlHost(client.clientUri),
    logoHost,
    redirectHosts,
    loopbackWarning: client.loopbackOnly ? LOOPBACK_WARNING : undefined,
    identity: metadataUrl === undefined ? DYNAMIC_REGISTRATION : `metadata document at ${metadataUrl}`,
    metadataUrl,
  };
}

/** How long a grant may last, the person's choice; the relay clamps it to its own maximum. */
export const GRANT_LIFETIMES = [
  { days: 1, label: '1 day' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
] as const;
export const DEFAULT_GRANT_DAYS = 30;

/**
 * A match code as the person typed it, in the relay's form (relay/src/oauth/matchCode.ts): lower
 * case, words joined by one space, whatever spaces, hyphens, dots or underscores they put between them.
 */
export function normalizeMatchCode(typed: string): string {
  return typed
    .trim()
    .toLowerCase()
    .split(/[\s._-]+/u)
    .filter((word) => word.length > 0)
    .join(' ');
}

/** The match code is four words; Allow waits until four are typed, so a slip is not a wrong guess. */
export const MATCH_CODE_WORDS = 4;

export function matchCodeComplete(typed: string): boolean {
  const code = normalizeMatchCode(typed);
  return code.split(' ').length === MATCH_CODE_WORDS && code.length <= 64;
}

/** The relay's remaining time for a consent, as a person reads it: "9 min", "40 s", "expired". */
export function timeLeft(expiresAt: number, now: number): string {
  const seconds = Math.ceil((expiresAt - now) / 1000);
  if (seconds <= 0) return 'expired';
  if (seconds < 60) return `${seconds} s`;
  return `${Math.ceil(seconds / 60)} min`;
}
