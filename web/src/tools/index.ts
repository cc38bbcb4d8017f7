import { ToolRegistry, type ToolPack } from '../host/registry.ts';
import { systemPack } from './system/index.ts';

/** Every tool pack the tab serves to all clients. */
export const toolPacks: ToolPack[] = [systemPack];

export function createToolRegistry(): ToolRegistry {
  return new ToolRegistry(toolPacks);
}
