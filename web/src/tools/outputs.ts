/**
 * Every Vial tool's output schema by the tool's name: what its `structuredContent` holds. Zod
 * only, like the packs' `outputs.ts`, so MCP Apps, tests and other clients import it without the
 * tools. A test checks that each tool a host serves declares exactly the schema named here.
 */
import type { z } from 'zod';
import { chatOutput, multiQueryOutput } from './llm/outputs.ts';
import { inferenceOutput, modelLoadOutput, pipelineOutput, trainModelOutput } from './ml/outputs.ts';
import { buildCircuitOutput, simulateOutput } from './quantum/outputs.ts';
import { diagnosticsOutput, logsTailOutput } from './system/outputs.ts';
import {
  exportOutput,
  exportVerifyOutput,
  readContractOutput,
  signMessageOutput,
  signTypedDataOutput,
  transactionOutput,
  walletStatusOutput,
} from './wallet/outputs.ts';

export const toolOutputs = {
  system_diagnostics: diagnosticsOutput,
  system_logs_tail: logsTailOutput,
  quantum_simulate: simulateOutput,
  quantum_circuit_build: buildCircuitOutput,
  model_load: modelLoadOutput,
  onnx_inference: inferenceOutput,
  tfjs_inference: inferenceOutput,
  train_model: trainModelOutput,
  ml_pipeline: pipelineOutput,
  llm_chat: chatOutput,
  multi_llm_query: multiQueryOutput,
  wallet_status: walletStatusOutput,
  web3_read_contract: readContractOutput,
  wallet_sign_message: signMessageOutput,
  wallet_sign_typed_data: signTypedDataOutput,
  web3_transaction: transactionOutput,
  wallet_export: exportOutput,
  wallet_export_verify: exportVerifyOutput,
} as const;

export type ToolName = keyof typeof toolOutputs;

/** What `structuredContent` holds for tool `N`, e.g. `ToolOutput<'quantum_simulate'>`. */
export type ToolOutput<N extends ToolName> = z.infer<(typeof toolOutputs)[N]>;
