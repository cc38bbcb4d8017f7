/**
 * Lets a `VialError` cross a comlink boundary whole. comlink sends a thrown error as its name,
 * message and stack, and rebuilds a plain `Error` from them: the class, the short message,
 * details and hints are lost. With `carryVialErrors()` called on both sides (the Worker before
 * `expose`, the tab before `wrap`), a `VialError` goes as its plain-data form (`toJSON()`) and
 * comes back as a `VialError` with the same name, message and parts; anything else goes the
 * comlink way.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { isErrorDescription, VialError } from '@vial/shared/vialError';

/** What comlink's `throw` handler sends: `{ isError, value }`. */
interface ThrownOnWire {
  isError: boolean;
  value: unknown;
}

const comlinkThrow = transferHandlers.get('throw')! as TransferHandler<unknown, ThrownOnWire>;

const vialErrorThrow: TransferHandler<unknown, ThrownOnWire> = {
  canHandle: comlinkThrow.canHandle,
  serialize(thrown) {
    const { value } = thrown as { value: unknown };
    if (!(value instanceof VialError)) return comlinkThrow.serialize(thrown);
    return [{ isError: true, value: { ...value.toJSON(), stack: value.stack } }, []];
  },
  deserialize(wire) {
    if (!wire.isError || !isErrorDescription(wire.value)) return comlinkThrow.deserialize(wire);
    const error = VialError.fromJSON(wire.value);
    const { stack } = wire.value as { stack?: unknown };
    if (typeof stack === 'string') error.stack = stack;
    throw error;
  },
};

/** Makes this realm's comlink send and rebuild `VialError`s whole (idempotent). */
export function carryVialErrors(): void {
  transferHandlers.set('throw', vialErrorThrow);
}
