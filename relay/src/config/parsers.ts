/**
 * The kinds of value a relay variable holds, as zod schemas from the variable's text: whole
 * numbers, comma lists, inline JSON, JSON inline or in a file. Each failure says what a valid
 * value looks like.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const MiB = 1024 * 1024;

/** A whole number, at least 1. */
export const positiveInt = z.coerce.number().int().positive();
/** A whole number, at least 0 (0 usually disables what it limits). */
export const nonNegativeInt = z.coerce.number().int().min(0);
/** A number, at least 0, fractions allowed (rates, money). */
export const nonNegative = z.coerce.number().min(0);

/** `a, b,c` as `['a', 'b', 'c']`; empty items are dropped. */
export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** A JSON value given inline in a variable, checked against `schema`. */
export function jsonText<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON, e.g. ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Inline JSON (starting with `{`) or the path of a JSON file. */
export function jsonTextOrFile<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string()
    .transform((value, ctx) => {
      if (value.trimStart().startsWith('{')) return value;
      try {
        return readFileSync(value, 'utf8');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `cannot read the file (${(error as Error).message})` });
        return z.NEVER;
      }
    })
    .pipe(jsonText(schema, example));
}
