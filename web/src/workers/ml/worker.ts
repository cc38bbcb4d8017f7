/** The ML Worker: an `MlService` exposed over comlink, its registry in IndexedDB. */
import { expose } from 'comlink';
import { IndexedDbModelStore } from '../../storage/modelStore.ts';
import { CachedModelStore } from './cachedModelStore.ts';
import { MlService } from './service.ts';

const cores = self.navigator.hardwareConcurrency || 1;
expose(
  new MlService({
    gpu: (self.navigator as Navigator & { gpu?: GPU }).gpu,
    origin: self.location.origin,
    // WASM threads need SharedArrayBuffer, which only a cross-origin isolated page has.
    threads: self.crossOriginIsolated ? Math.min(4, cores) : 1,
    store: new CachedModelStore(new IndexedDbModelStore()),
  }),
);
