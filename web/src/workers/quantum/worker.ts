/** The quantum simulator's dedicated Worker: a `QuantumService` exposed over comlink. */
import { expose } from 'comlink';
import { QuantumService } from './service.ts';

expose(new QuantumService({ gpu: (self.navigator as Navigator & { gpu?: GPU }).gpu }));
