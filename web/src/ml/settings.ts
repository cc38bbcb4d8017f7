/**
 * The tab's ML settings, edited in the Models view and kept in localStorage: the largest model
 * model_load accepts, and whether transformers.js may fetch models from the Hugging Face hub.
 */
import { z } from 'zod';

/** The tab's settings that apply to every ML call. */
export interface MlSettings {
  /** Largest model (all its files) model_load accepts. */
  maxModelBytes: number;
  /** Whether transformers.js may fetch models from the Hugging Face hub. */
  allowRemoteModels: boolean;
}

const KEY = 'vial.ml.settings';

export const DEFAULT_ML_SETTINGS: MlSettings = { maxModelBytes: 512 * 1024 * 1024, allowRemoteModels: true };

const settingsSchema = z.object({
  maxModelBytes: z.number().int().min(1),
  allowRemoteModels: z.boolean(),
});

export class MlSettingsStore {
  constructor(private readonly storage: Storage) {}

  read(): MlSettings {
    const raw = this.storage.getItem(KEY);
    if (raw === null) return DEFAULT_ML_SETTINGS;
    try {
      return settingsSchema.parse(JSON.parse(raw));
    } catch {
      console.warn('Vial: ignored unreadable ML settings');
      return DEFAULT_ML_SETTINGS;
    }
  }

  write(settings: MlSettings): void {
    this.storage.setItem(KEY, JSON.stringify(settingsSchema.parse(settings)));
  }
}
