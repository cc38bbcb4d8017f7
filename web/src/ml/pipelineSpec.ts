/**
 * What `ml_pipeline` accepts: the transformers.js tasks Vial offers and their options. Kept
 * apart from the pipelines themselves so the tool's schema does not pull transformers.js in.
 */
import { z } from 'zod';

export const PIPELINE_TASKS = [
  'feature-extraction',
  'text-classification',
  'zero-shot-classification',
  'token-classification',
] as const;
export type PipelineTask = (typeof PIPELINE_TASKS)[number];

/**
 * A Hugging Face model id, `owner/name` or `name`, as transformers.js itself accepts one. Anything
 * else it would take for a path or URL: `//192.168.1.1/x` is fetched from that host.
 */
const HUB_MODEL_ID = /^(?:\w(?:[\w.-]*\w)?\/)?\w(?:[\w.-]{0,94}\w)?$/;

export function isHubModelId(id: string): boolean {
  return HUB_MODEL_ID.test(id) && !id.includes('..') && !id.includes('--');
}

export const HUB_MODEL_ID_RULE =
  "a Hugging Face model id is 'owner/name' or 'name': letters, digits, '_', '-' and '.', without '..' or '--'";

export const hubModelIdSchema = z.string().max(200).refine(isHubModelId, { message: HUB_MODEL_ID_RULE });

export const pipelineOptionsSchema = z
  .strictObject({
    pooling: z
      .enum(['none', 'mean', 'cls'])
      .optional()
      .describe("feature-extraction: pool tokens into one vector ('mean' by default)"),
    normalize: z.boolean().optional().describe('feature-extraction: L2-normalise each vector (default true)'),
    top_k: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('text-classification: how many labels per text (default 1)'),
    candidate_labels: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(100)
      .optional()
      .describe('zero-shot-classification: the labels to choose from'),
    hypothesis_template: z
      .string()
      .max(500)
      .optional()
      .describe("zero-shot-classification: default 'This example is {}.'"),
    multi_label: z.boolean().optional().describe('zero-shot-classification: score labels independently'),
    ignore_labels: z.array(z.string()).optional().describe("token-classification: labels to drop (default ['O'])"),
  })
  .default({});
export type PipelineOptions = z.infer<typeof pipelineOptionsSchema>;
