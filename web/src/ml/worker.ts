/** The ML Worker: an `MlService` exposed over comlink, its registry in IndexedDB. */
import '../jitlessZod.ts';
import { expose } from 'comlink';
import { carryVialErrors } from '../platform/errorTransfer.ts';
import { IndexedDbModelStore } from '../storage/modelStore.ts';
import { wasmThreads } from './backends.ts';
import { CachedModelStore } from './cachedModelStore.ts';
import { MlService } from './mlService.ts';

carryVialErrors();
expose(
  new MlService({
    gpu: (self.navigator as Navigator & { gpu?: GPU }).gpu,
    origin: self.location.origin,
    threads: wasmThreads(),
    store: new CachedModelStore(new IndexedDbModelStore()),
  }),
);
