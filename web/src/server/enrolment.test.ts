import { describe, expect, it } from 'vitest';
import { enrolmentFromHash, readEnrolmentInput } from './enrolment.ts';

const relay = 'https://relay.example.org';
const code = 've1.eyJuIjoiQUJDIn0.c2lnbmF0dXJlX19fX19fX19fXw';

describe('readEnrolmentInput', () => {
  it('takes a code alone, or inside a link to this relay', () => {
    expect(readEnrolmentInput(code, relay)).toEqual({ ok: true, code });
    expect(readEnrolmentInput(`${relay}/#enrol=${code}`, relay)).toEqual({ ok: true, code });
    expect(readEnrolmentInput(`${relay}#enrol=${code}`, relay)).toEqual({ ok: true, code });
  });

  it('drops whitespace a mail or chat window put into it', () => {
    expect(readEnrolmentInput(`  ${code.slice(0, 20)}\n${code.slice(20)}  `, relay)).toEqual({ ok: true, code });
  });

  it('refuses a link to another relay, naming both and saying to open the link there', () => {
    const result = readEnrolmentInput(`https://other.example.net/#enrol=${code}`, relay);
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/https:\/\/other\.example\.net.*https:\/\/relay\.example\.org.*Open the link/),
    });
  });

  it.each([
    ['nothing', '   ', /Paste the enrolment code/],
    ['a client token', 'vial_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /not an enrolment code/],
    ['an admission ticket', 'va1.1.c2lnbmF0dXJl', /not an enrolment code/],
    ['a code with a fourth part', `${code}.extra`, /not an enrolment code/],
    ['a code with characters outside base64url', 've1.a+b.c/d', /not an enrolment code/],
    ['a link without a code', `${relay}/#/connect`, /no enrolment code/],
    ['a link with a mangled code', `${relay}/#enrol=ve1.abc`, /not an enrolment code/],
    ['an oversized code', `ve1.${'a'.repeat(600)}.b`, /at most 512/],
  ])('refuses %s with why', (_case, text, error) => {
    expect(readEnrolmentInput(text, relay)).toEqual({ ok: false, error: expect.stringMatching(error) });
  });
});

describe('enrolmentFromHash', () => {
  it('reads the code from an enrolment link’s fragment, and nothing from any other', () => {
    expect(enrolmentFromHash(`#enrol=${code}`)).toBe(code);
    expect(enrolmentFromHash(`#/enrol=${code}`)).toBe(code);
    expect(enrolmentFromHash('#enrol=ve1.a%2Db.c')).toBe('ve1.a-b.c');
    expect(enrolmentFromHash('#/connect')).toBeUndefined();
    expect(enrolmentFromHash('')).toBeUndefined();
  });
});
