/**
 * `pnpm relay:enrol`: prints a one-time enrolment code, and the link that carries it, for a
 * person whose tab should host on this relay. Run it where the relay's environment is set: it
 * signs with VIAL_ADMISSION_SECRET and links to VIAL_PUBLIC_URL.
 *
 *   pnpm relay:enrol [--llm] [--ttl-hours 24]
 */
import { parseArgs } from 'node:util';
import { mintEnrolmentCode, MAX_ENROLMENT_TTL_MS } from './hosts/admission.ts';

const HOUR_MS = 60 * 60 * 1000;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    llm: { type: 'boolean', default: false },
    'ttl-hours': { type: 'string', default: '24' },
  },
});
const secret = process.env.VIAL_ADMISSION_SECRET;
if (!secret || secret.length < 32) {
  fail("Set VIAL_ADMISSION_SECRET (the relay's, 32+ characters) to mint an enrolment code for it.");
}
const ttlHours = Number(values['ttl-hours']);
if (!(ttlHours > 0 && ttlHours * HOUR_MS <= MAX_ENROLMENT_TTL_MS)) {
  fail(`--ttl-hours must be a number of hours above 0 and at most ${MAX_ENROLMENT_TTL_MS / HOUR_MS}`);
}
const code = mintEnrolmentCode(secret, { llm: values.llm, ttlMs: ttlHours * HOUR_MS });
const base = (process.env.VIAL_PUBLIC_URL ?? 'http://localhost:8787').replace(/\/$/, '');
console.log(`Enrolment code (one host, valid ${ttlHours} h${values.llm ? ', with LLM access' : ''}):\n  ${code}`);
console.log(`Enrolment link (opens the Vial app and enrols its tab):\n  ${base}/#enrol=${code}`);
