/**
 * The ML pack's dependencies for Node hosts: onnxruntime-web, tfjs and transformers.js run in
 * the tab's Worker (tested in Chromium), so here every ML call fails the way a tab without the
 * Worker would, with an error that says so. The registry is empty.
 */
import { ApprovalQueue } from '../../web/src/server/approvals.ts';
import { FetchOriginStore } from '../../web/src/storage/fetchOriginStore.ts';
import { RemoteFetchGuard } from '../../web/src/ml/fetchGuard.ts';
import type { MlPackDependencies } from '../../web/src/tools/ml/index.ts';
import { DEFAULT_ML_SETTINGS } from '../../web/src/ml/settings.ts';

function unavailable(): never {
  const error = new Error("ML tools run in the browser tab's ML Worker; this Node host has none.");
  error.name = 'MlError';
  throw error;
}

export const browserOnlyMl: MlPackDependencies = {
  ml: {
    list: async () => [],
    samples: async () => [],
    remove: async () => unavailable(),
    load: async () => unavailable(),
    infer: async () => unavailable(),
    pipeline: async () => unavailable(),
    train: async () => unavailable(),
    cancel: async () => undefined,
  },
  mlSettings: { read: () => DEFAULT_ML_SETTINGS },
  // The tools still check URLs before the (missing) Worker; nobody answers this queue, so a new
  // public origin waits out the approval timeout. Tests that approve build their own guard.
  fetchGuard: new RemoteFetchGuard({
    tabOrigin: 'http://localhost',
    origins: FetchOriginStore.inMemory(),
    approvals: new ApprovalQueue(),
  }),
};
