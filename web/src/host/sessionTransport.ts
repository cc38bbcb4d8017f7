import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

export type SendToRelay = (message: JSONRPCMessage, relatedRequestId: RequestId | undefined) => void;

/**
 * The SDK `Transport` for one remote client session, carried over the tab's relay socket.
 * The relay already terminated HTTP; this just moves JSON-RPC messages, tagging each with the
 * client request it belongs to so progress lands on that request's stream.
 */
export class SessionTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private closed = false;

  constructor(
    readonly sessionId: string,
    private readonly sendToRelay: SendToRelay,
  ) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) throw new Error(`session ${this.sessionId} is closed`);
    this.sendToRelay(message, options?.relatedRequestId);
  }

  /** A message from the client, already validated as a frame by the host runtime. */
  receive(message: JSONRPCMessage): void {
    if (!this.closed) this.onmessage?.(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
