/** The MCP client the tests and benchmarks talk to Vial with: the 2.x SDK's, over Streamable HTTP with a bearer token. */
import {
  Client,
  StreamableHTTPClientTransport,
  type ClientCapabilities,
  type VersionNegotiationMode,
} from '@modelcontextprotocol/client';

export interface ConnectClientOptions {
  /**
   * How the client picks the protocol era: 'legacy' (the 2.x SDK's default: `initialize` and a
   * session), 'auto' (probe with `server/discover`, fall back to legacy) or `{ pin: '<version>' }`.
   */
  versionNegotiation?: VersionNegotiationMode;
  /** What the client declares it can do (e.g. `elicitation`); a handler for each is set after connecting. */
  capabilities?: ClientCapabilities;
}

export interface ConnectedClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

/** A client named `name`, connected to `mcpUrl`; the legacy era unless `options` pick another. */
export async function connectMcpClient(
  mcpUrl: string,
  token: string,
  name: string,
  options: ConnectClientOptions = {},
): Promise<ConnectedClient> {
  const client = new Client(
    { name, version: '1.0.0' },
    { versionNegotiation: { mode: options.versionNegotiation ?? 'legacy' }, capabilities: options.capabilities },
  );
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport };
}
