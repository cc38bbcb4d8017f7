/** What the multi_llm_query app says of a set of answers as a whole. */
import type { AnswersSummary } from '../../tools/llm/outputs.ts';

/** "3 answered, 1 failed · $0.000040 · first token first: anthropic:claude-haiku-4-5" */
export function describeSummary(summary: AnswersSummary): string {
  const parts = [
    `${summary.answered} answered${summary.failed > 0 ? `, ${summary.failed} failed` : ''}`,
    `$${summary.totalCostUsd.toFixed(6)}`,
  ];
  if (summary.fastestFirstToken) parts.push(`first token first: ${summary.fastestFirstToken}`);
  return parts.join(' · ');
}
