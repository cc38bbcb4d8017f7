import { ToolRegistry, type ToolPack } from '../host/registry.ts';
import { createQuantumPack, type QuantumPackDependencies } from './quantum/index.ts';
import { systemPack } from './system/index.ts';

/** What the tool packs need from their surroundings: the tab gives Worker- and IndexedDB-backed ones. */
export type ToolDependencies = QuantumPackDependencies;

/** Every tool pack the tab serves to all clients. */
export function createToolPacks(deps: ToolDependencies): ToolPack[] {
  return [systemPack, createQuantumPack(deps)];
}

export function createToolRegistry(deps: ToolDependencies): ToolRegistry {
  return new ToolRegistry(createToolPacks(deps));
}
