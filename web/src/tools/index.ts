import { ToolRegistry, type ToolPack } from '../server/toolRegistry.ts';
import { createLlmPack, type LlmPackDependencies } from './llm/index.ts';
import { createMlPack, type MlPackDependencies } from './ml/index.ts';
import { createQuantumPack, type QuantumPackDependencies } from './quantum/index.ts';
import { systemPack } from './system/index.ts';
import { createWalletPack, type WalletPackDependencies } from './wallet/index.ts';

/** What the tool packs need from their surroundings: the tab gives Worker- and IndexedDB-backed ones. */
export type ToolDependencies = QuantumPackDependencies &
  LlmPackDependencies &
  WalletPackDependencies &
  MlPackDependencies;

/** Every tool pack the tab serves to all clients. */
export function createToolPacks(deps: ToolDependencies): ToolPack[] {
  return [systemPack, createQuantumPack(deps), createMlPack(deps), createLlmPack(deps), createWalletPack(deps)];
}

export function createToolRegistry(deps: ToolDependencies): ToolRegistry {
  return new ToolRegistry(createToolPacks(deps));
}
