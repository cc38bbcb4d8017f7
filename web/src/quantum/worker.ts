/** The quantum simulator's dedicated Worker: a `QuantumService` exposed over comlink. */
import '../jitlessZod.ts';
import { expose } from 'comlink';
import { carryVialErrors } from '../platform/errorTransfer.ts';
import { browserKernelThreads } from './cpu/browserThreads.ts';
import { QuantumService } from './simulatorService.ts';

carryVialErrors();
expose(
  new QuantumService({
    gpu: (self.navigator as Navigator & { gpu?: GPU }).gpu,
    // Threads when the page is cross-origin isolated and the browser reports several cores.
    cpuThreads: browserKernelThreads(),
  }),
);
