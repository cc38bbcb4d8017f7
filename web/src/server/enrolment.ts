/**
 * Enrolment codes as a person meets them: pasted on their own (`ve1.xxxxx.yyyyy`) or inside the
 * link an operator hands out, `<relay URL>/#enrol=<code>`. The code sits in the fragment so it
 * never reaches a server's logs; the tab reads it, keeps it until the relay redeems it, and takes
 * it out of the address bar.
 */

/** The fragment parameter an enrolment link carries the code in. */
export const ENROL_PARAM = 'enrol';

/** Longest code the `register` frame accepts. */
const MAX_CODE_LENGTH = 512;
/** Three base64url parts joined by dots, the first naming the code's version (`ve1`). */
const CODE_SHAPE = /^ve\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type EnrolmentInput = { ok: true; code: string } | { ok: false; error: string };

/**
 * Reads what a person pasted: a code, or an enrolment link. `relayUrl` is the relay this tab is
 * on: a link to another relay carries a code this one did not issue, so it is refused here with
 * the way to use it instead.
 */
export function readEnrolmentInput(text: string, relayUrl: string): EnrolmentInput {
  // Codes hold no whitespace: a line break from an email or chat window is dropped.
  const input = text.replace(/\s+/g, '');
  if (!input) return { ok: false, error: 'Paste the enrolment code or link the operator of this relay gave you.' };
  if (/^https?:\/\//i.test(input)) return readLink(input, relayUrl);
  return readCode(input);
}

/** The code in a location's fragment (`#enrol=<code>`), if there is one. */
export function enrolmentFromHash(hash: string): string | undefined {
  const code = new URLSearchParams(hash.replace(/^#\/?/, '')).get(ENROL_PARAM);
  return code === null ? undefined : code.replace(/\s+/g, '');
}

function readLink(input: string, relayUrl: string): EnrolmentInput {
  let link: URL;
  try {
    link = new URL(input);
  } catch {
    return { ok: false, error: 'That link is not a URL; copy the whole enrolment link, or just its code.' };
  }
  const code = enrolmentFromHash(link.hash);
  if (code === undefined) {
    return { ok: false, error: `That link has no enrolment code: an enrolment link ends in #${ENROL_PARAM}=ve1.…` };
  }
  const here = new URL(relayUrl).origin;
  if (link.origin !== here) {
    return {
      ok: false,
      error: `That link is for the relay at ${link.origin}, but this tab is on ${here}. Open the link itself to enrol a tab on that relay.`,
    };
  }
  return readCode(code);
}

function readCode(code: string): EnrolmentInput {
  if (code.length > MAX_CODE_LENGTH) {
    return { ok: false, error: `That is ${code.length} characters; an enrolment code has at most ${MAX_CODE_LENGTH}.` };
  }
  if (!CODE_SHAPE.test(code)) {
    return {
      ok: false,
      error:
        'That is not an enrolment code: one looks like ve1.xxxxx.yyyyy (three parts joined by dots), or comes inside a link ending in #enrol=…',
    };
  }
  return { ok: true, code };
}
