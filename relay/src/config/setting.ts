/**
 * The shape of the relay's settings table: each variable is one `setting()` (schema, default,
 * where its value goes in RelayConfig, the line docs/configuration.md shows for it), and the
 * settings are grouped in the sections that page lists them under.
 */
import type { z } from 'zod';

/** One variable the relay reads. */
export interface Setting<Value = unknown, To extends string | undefined = string | undefined> {
  /** Parses the variable's text, giving `default` when it is unset. */
  readonly parse: z.ZodType<Value>;
  /** The value when the variable is unset; undefined when there is none. */
  readonly default: Value | undefined;
  /**
   * The RelayConfig field the value fills: `port`, or `hostLimits.maxHosts` inside a part.
   * Undefined for the variables that a part of loadConfig reads (admission, LLM providers).
   */
  readonly to: To;
  /** The docs' Default cell, where the value itself would not say it (computed, or not plain). */
  readonly shownDefault: string | undefined;
  /** What it does, in one line: the docs' Meaning cell. */
  readonly meaning: string;
}

/** A heading of docs/configuration.md and the settings listed under it, in order. */
export interface Section {
  readonly title: string;
  /** The paragraph under the heading (Markdown). */
  readonly intro: string;
  /** Variables each built-in LLM provider has, `<P>` standing for its name; listed first. */
  readonly perProvider?: Readonly<Record<string, Setting>>;
  readonly settings: Readonly<Record<string, Setting>>;
}

interface SettingEntry<S extends z.ZodType, To extends string | undefined> {
  schema: S;
  to?: To;
  shownDefault?: string;
  meaning: string;
}

/** A setting with a default: the value is never undefined. */
export function setting<S extends z.ZodType, const To extends string | undefined = undefined>(
  entry: SettingEntry<S, To> & { default: NoInfer<z.output<S>> },
): Setting<z.output<S>, To>;
/** A setting without one: undefined while the variable is unset. */
export function setting<S extends z.ZodType, const To extends string | undefined = undefined>(
  entry: SettingEntry<S, To>,
): Setting<z.output<S> | undefined, To>;
export function setting(entry: SettingEntry<z.ZodType, string | undefined> & { default?: unknown }): Setting {
  return {
    parse: 'default' in entry ? entry.schema.default(entry.default) : entry.schema.optional(),
    default: entry.default,
    to: entry.to,
    shownDefault: entry.shownDefault,
    meaning: entry.meaning,
  };
}
