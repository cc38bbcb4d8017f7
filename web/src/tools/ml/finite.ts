/**
 * Figures as JSON carries them: JSON writes NaN and ±Infinity as null, so the ML tools send null
 * for them, as their output schemas say (`outputs.ts`). Its own module, so the tools use it
 * without loading the schemas.
 */

/** `value`, or null where it is not a finite number (what JSON would make of it anyway). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
