/**
 * What the ML tools need: the ML Worker (shared with the Models view) and the tab's settings.
 * `explainingMlErrors` wraps every call so the Worker's self-explaining errors reach clients as they are.
 */
import { explainingErrors } from '../../host/toolError.ts';
import type { MlEngine } from '../../workers/ml/engine.ts';
import type { MlSettings } from '../../workers/ml/service.ts';

export interface MlPackDependencies {
  ml: MlEngine;
  /** The Models view's settings, read at each call. */
  mlSettings: { read(): MlSettings };
}

const EXPLAINED = new Set(['MlError']);

export function explainingMlErrors<T>(work: () => Promise<T>): Promise<T> {
  return explainingErrors(EXPLAINED, work);
}
