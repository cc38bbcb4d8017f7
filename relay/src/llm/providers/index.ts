/** The providers this relay can call, built from the configuration: one adapter per configured name. */
import type { LlmProviderConfig } from '../../config.ts';
import { createAnthropicAdapter } from './anthropic.ts';
import { createGeminiAdapter } from './gemini.ts';
import { createOpenAiCompatibleAdapter } from './openaiCompatible.ts';
import type { ProviderAdapter } from './types.ts';

export type { ProviderAdapter } from './types.ts';

const FACTORIES = {
  anthropic: createAnthropicAdapter,
  'openai-compatible': createOpenAiCompatibleAdapter,
  gemini: createGeminiAdapter,
} satisfies Record<LlmProviderConfig['wire'], (config: LlmProviderConfig) => ProviderAdapter>;

export function createProviderTable(configs: LlmProviderConfig[]): Map<string, ProviderAdapter> {
  return new Map(configs.map((config) => [config.name, FACTORIES[config.wire](config)]));
}
