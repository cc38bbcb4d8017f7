/** Values both the relay and the tab must agree on. */
export const DEFAULT_PORT = 8787;
/** Path of the WebSocket the tab opens to the relay. */
export const TAB_SOCKET_PATH = '/tab';
/** Prefix of the per-host MCP endpoint: `/mcp/<hostId>`. */
export const MCP_PATH_PREFIX = '/mcp/';
/** Default largest tab frame in bytes; the relay may be configured lower or higher. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** WebSocket close codes the relay uses so the tab can tell why it was dropped. */
export const CLOSE_CODES = {
  /** Another tab registered the same host: this one must not reconnect on its own. */
  replaced: 4000,
  /** The registration was invalid (bad host id or secret): reconnecting will not help. */
  rejected: 4001,
  /** The tab missed heartbeats. */
  heartbeatTimeout: 4002,
  /**
   * This relay admits hosts and this one was not admitted (no, a used, an expired or a forged
   * enrolment code or ticket): reconnecting will not help until the person enters a code.
   */
  notAdmitted: 4003,
  /** The relay is at a limit (hosts, sockets or new hosts from this address): reconnect later. */
  tryAgainLater: 1013,
  /** The relay is shutting down: reconnect with backoff. */
  shuttingDown: 1001,
} as const;
/** Token prefix, so leaked tokens are recognisable by secret scanners. */
export const TOKEN_PREFIX = 'vial_';
export const VIAL_VERSION = '0.1.0';
/** The MCP request methods of the spec versions Vial serves (the relay counts these by name). */
export const MCP_REQUEST_METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'server/discover',
  'subscriptions/listen',
] as const;
