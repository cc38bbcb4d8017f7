/**
 * The JSON of messages the relay passes on without reading. A tab's notification is only routed
 * by its envelope (`jsonrpc`, `id`, `method`) and then kept for `Last-Event-ID` resumption as
 * JSON: turning its `params` into objects and back into the same JSON would be all the work the
 * relay does for it, and for a `[{},{},…]` flood that is most of the relay's CPU (a 256 KiB frame
 * is about 87,000 objects to make, sweep and serialize again).
 *
 * So the tab socket, having checked that the whole frame is valid JSON, can leave a message's
 * `params` as the JSON bytes they came in: the member reads as its value, parsed the first time
 * anything reads it (the SDK does, when it writes the message to an open stream), and until then
 * `messageJson` gives the bytes as they arrived instead of serializing the message.
 */

/** The message's JSON as it arrived, for messages none of whose deferred members has been read. */
const arrivedAs = new WeakMap<object, Uint8Array>();

/**
 * Leaves `message[key]` as the JSON text `value` until something reads it. `json` is the whole
 * message as it arrived, of which `value` is a part: valid JSON both, already checked, which
 * parses to `message` with `value` in its place. Both are kept as given; `messageJson` copies.
 */
export function deferMember(message: object, key: string, value: Uint8Array, json: Uint8Array): void {
  const settle = (settled: unknown) => {
    // Once read, the value may be changed through what was read: from now on, serialize the message.
    arrivedAs.delete(message);
    Object.defineProperty(message, key, { value: settled, enumerable: true, writable: true, configurable: true });
  };
  Object.defineProperty(message, key, {
    enumerable: true,
    configurable: true,
    get() {
      const parsed: unknown = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString());
      settle(parsed);
      return parsed;
    },
    set: settle,
  });
  arrivedAs.set(message, json);
}

/** The message as UTF-8 JSON, in a buffer of its own: the bytes it arrived as, if it was left unread, else serialized. */
export function messageJson(message: object): Buffer {
  const arrived = arrivedAs.get(message);
  return arrived ? Buffer.from(arrived) : Buffer.from(JSON.stringify(message));
}
