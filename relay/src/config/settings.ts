/**
 * Every setting the relay reads, declared once in the section files beside this one. loadConfig
 * (../config.ts) parses the environment with them and fills RelayConfig, whose type is derived
 * here from the same entries; tools/generateConfigDocs.ts writes docs/configuration.md's tables
 * from SECTIONS (`pnpm docs:config`).
 */
import { CLIENTS } from './clients.ts';
import { CLUSTER } from './cluster.ts';
import { HOSTS } from './hosts.ts';
import { LLM_LIMITS, LLM_PROVIDERS } from './llm.ts';
import { OAUTH } from './oauth.ts';
import { SERVER } from './server.ts';
import type { Section, Setting } from './setting.ts';

/** The sections of docs/configuration.md, in the page's order. */
export const SECTIONS: readonly Section[] = [SERVER, CLIENTS, HOSTS, OAUTH, LLM_PROVIDERS, LLM_LIMITS, CLUSTER];

/** Every `VIAL_*` variable, by name (the per-provider ones are in LLM_PROVIDERS.perProvider). */
export const SETTINGS = {
  ...SERVER.settings,
  ...CLIENTS.settings,
  ...HOSTS.settings,
  ...OAUTH.settings,
  ...LLM_PROVIDERS.settings,
  ...LLM_LIMITS.settings,
  ...CLUSTER.settings,
};

type Settings = typeof SETTINGS;
type ValueOf<S> = S extends Setting<infer Value> ? Value : never;
type TargetOf<S> = S extends Setting<unknown, infer To> ? Exclude<To, undefined> : never;

/** The parsed value of every variable, by name. */
export type SettingValues = { [Name in keyof Settings]: ValueOf<Settings[Name]> };

/** The field a setting fills at the top of RelayConfig (`to: 'port'`); never for one inside a part. */
type TopField<To> = To extends `${string}.${string}` ? never : To;
/** The field a setting fills in one part of RelayConfig (`to: 'hostLimits.maxHosts'`). */
type PartField<Part extends string, To> = To extends `${Part}.${infer Field}` ? Field : never;

/** The RelayConfig fields that settings fill directly. */
export type TopFields = {
  -readonly [Name in keyof Settings as TopField<TargetOf<Settings[Name]>>]: ValueOf<Settings[Name]>;
};

/** The fields settings fill in one part of RelayConfig. */
export type PartFields<Part extends string> = {
  -readonly [Name in keyof Settings as PartField<Part, TargetOf<Settings[Name]>>]: ValueOf<Settings[Name]>;
};
