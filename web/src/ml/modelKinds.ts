/**
 * The kinds of model the registry holds. Their own module, so the model_load tool (in the tab's
 * first download) names them without the registry's record schemas (`modelRecords.ts`).
 */
export const MODEL_KINDS = ['onnx', 'tfjs', 'transformers'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
