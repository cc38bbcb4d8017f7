/**
 * Local servers that speak each LLM provider's wire format exactly (paths, auth headers, status
 * codes, error bodies, SSE framing), driven by scripted scenarios: the only stand-ins in Vial's
 * tests, because the real providers cannot be reached from them.
 */
export { startAnthropicStandIn } from './anthropic.ts';
export { startGeminiStandIn } from './gemini.ts';
export { startOpenAiStandIn } from './openai.ts';
export type { Scenario, StandInUsage } from './scenario.ts';
export type { RecordedRequest, StandIn } from './standIn.ts';
