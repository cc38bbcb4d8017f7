/**
 * JSON-RPC error codes the relay uses for its own failures (the server-error range -32000..-32099),
 * so clients and tests can tell "the tab is away" from a tool's own error.
 */
export const RELAY_ERROR_CODES = {
  /** No tab is connected for this host right now. */
  tabOffline: -32001,
  /** The tab went away (reload, close, crash) while this request was in flight. */
  tabDisconnected: -32002,
  /** The relay is shutting down. */
  shuttingDown: -32003,
} as const;
