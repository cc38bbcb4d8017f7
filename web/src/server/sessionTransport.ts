import {
  isJSONRPCRequest,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';

export type SendToRelay = (message: JSONRPCMessage, relatedRequestId: RequestId | undefined) => void;
/** Asks the relay to close the client's SSE stream for a request, so the client polls for the rest. */
export type CloseClientStream = (requestId: RequestId) => void;

/**
 * The SDK `Transport` for one remote client session, carried over the tab's relay socket.
 * The relay already terminated HTTP; this just moves JSON-RPC messages, tagging each with the
 * client request it belongs to so progress lands on that request's stream.
 */
export class SessionTransport implements Transport {
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private closed = false;

  constructor(
    readonly sessionId: string,
    private readonly sendToRelay: SendToRelay,
    private readonly closeClientStream?: CloseClientStream,
  ) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) throw new Error(`session ${this.sessionId} is closed`);
    this.sendToRelay(message, options?.relatedRequestId);
  }

  /**
   * A message from the client, already validated as a frame by the host runtime. When the relay
   * says the client can resume this request's stream, its handler gets `ctx.http.closeSSE`, as
   * it would from the SDK's own Streamable HTTP transport.
   */
  receive(message: JSONRPCMessage, options: { streamClosable?: boolean } = {}): void {
    if (this.closed) return;
    const close = this.closeClientStream;
    if (options.streamClosable && close && isJSONRPCRequest(message)) {
      this.onmessage?.(message, { closeSSEStream: () => close(message.id) });
    } else {
      this.onmessage?.(message);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
