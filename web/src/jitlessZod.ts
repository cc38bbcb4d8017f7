/**
 * Imported first by the app's entry and by every Worker entry. zod probes whether it may compile
 * parsers with `new Function`; under the app's Content Security Policy (no 'unsafe-eval') the
 * probe fails quietly but is reported as a violation on every load. Jitless, it never probes.
 */
import { z } from 'zod';

z.config({ jitless: true });
