/**
 * What the ML tools need: the ML Worker (shared with the Models view), the tab's settings, and the
 * guard every URL a client names passes before the Worker fetches it. The tools wrap each call in
 * `explainingErrors`, so the Worker's self-explaining errors (`MlError`) reach clients as they are.
 */
import type { MlEngine } from './engine.ts';
import type { MlSettings } from './mlService.ts';
import type { RemoteFetchGuard } from './fetchGuard.ts';

export interface MlPackDependencies {
  ml: MlEngine;
  /** The Models view's settings, read at each call. */
  mlSettings: { read(): MlSettings };
  /** Decides which URLs remote clients may make the tab fetch (asking the person when it must). */
  fetchGuard: RemoteFetchGuard;
}
