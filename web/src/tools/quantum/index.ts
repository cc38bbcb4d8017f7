import type { ToolPack } from '../../server/toolRegistry.ts';
import { buildCircuit } from './build.ts';
import { createCircuitResources, watchCircuits } from './circuits.ts';
import { explainCircuit } from './explainPrompt.ts';
import { createSimulateTool } from './simulate.ts';

import type { QuantumPackDependencies } from '../../quantum/runSimulation.ts';

export type { QuantumPackDependencies } from '../../quantum/runSimulation.ts';

export function createQuantumPack(deps: QuantumPackDependencies): ToolPack {
  const resources = createCircuitResources(deps.circuits);
  return {
    name: 'quantum',
    tools: [createSimulateTool(deps), buildCircuit],
    resources: [resources.list],
    resourceTemplates: [resources.byHash],
    prompts: [explainCircuit],
    watch: (changed) => watchCircuits(deps.circuits, changed),
  };
}
