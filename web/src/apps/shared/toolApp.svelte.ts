/**
 * The app side of one MCP App, shared by every app: connects to the host (the ext-apps `App` over
 * `postMessage` to the parent frame), follows its theme, and holds the tool call the host shows
 * the app for: its arguments and its result, parsed with the tool's own output schema. Buttons
 * call tools through `call`, that is through the host, which sends them over the client's own
 * connection: the same token, scopes, policy, approvals and audit as any other call. An app makes
 * no request of its own.
 */
import { App, applyDocumentTheme, type McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import type { z } from 'zod';

type CallToolResult = Awaited<ReturnType<App['callServerTool']>>;

export type Theme = 'light' | 'dark';

/** A tool's answer as an app reads it: the parsed structured result, or the error the tool (or its schema check) gave. */
export type ToolOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export class ToolApp<S extends z.ZodType> {
  /** The arguments of the call the host shows this app for (its `ui/notifications/tool-input`). */
  input: Record<string, unknown> | undefined = $state();
  /** That call's result, or why it has none. */
  outcome: ToolOutcome<z.output<S>> | undefined = $state();
  theme: Theme = $state('light');
  /** Why the app could not reach its host, if it could not. */
  failure: string | undefined = $state();

  readonly app: App;

  constructor(
    name: string,
    private readonly output: S,
  ) {
    this.app = new App({ name, version: '1.0.0' }, {}, { autoResize: true });
    this.app.ontoolinput = ({ arguments: args }) => (this.input = args);
    this.app.ontoolresult = (result) => (this.outcome = this.read(result));
    this.app.ontoolcancelled = ({ reason }) =>
      (this.outcome = { ok: false, error: `The call was cancelled${reason ? `: ${reason}` : ''}.` });
    this.app.onhostcontextchanged = (context) => this.follow(context);
  }

  /** Connects to the host; resolves once the handshake is done. */
  async connect(): Promise<void> {
    try {
      await this.app.connect();
      this.follow(this.app.getHostContext());
    } catch (error) {
      this.failure = `This app could not reach its host: ${(error as Error).message}`;
    }
  }

  /** Calls `tool` through the host and reads its result with `output`. */
  async call<O extends z.ZodType>(
    tool: string,
    args: Record<string, unknown>,
    output: O,
  ): Promise<ToolOutcome<z.output<O>>> {
    try {
      return readResult(await this.app.callServerTool({ name: tool, arguments: args }), output);
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  /** Reads a resource through the host, as text (undefined when the host or server refuses). */
  async readText(uri: string): Promise<string | undefined> {
    try {
      const { contents } = await this.app.readServerResource({ uri });
      const first = contents[0];
      return first && 'text' in first ? first.text : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Asks the host to open `url` (an app's frame cannot navigate; the host may ask the person
   * first). Resolves with why it did not, or undefined once the host said it did.
   */
  async openLink(url: string): Promise<string | undefined> {
    try {
      const { isError } = await this.app.openLink({ url });
      return isError ? `The host did not open ${url}.` : undefined;
    } catch (error) {
      return `The host could not open ${url}: ${(error as Error).message}`;
    }
  }

  private read(result: CallToolResult): ToolOutcome<z.output<S>> {
    return readResult(result, this.output);
  }

  private follow(context: McpUiHostContext | undefined): void {
    if (context?.theme !== 'light' && context?.theme !== 'dark') return;
    this.theme = context.theme;
    applyDocumentTheme(context.theme);
  }
}

/** A tool's result as `output` types it, or its error text (a result that does not match is an error too). */
export function readResult<O extends z.ZodType>(result: CallToolResult, output: O): ToolOutcome<z.output<O>> {
  if (result.isError) {
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    return { ok: false, error: text || 'The tool failed and said nothing more.' };
  }
  const parsed = output.safeParse(result.structuredContent);
  if (!parsed.success) {
    return { ok: false, error: `The tool's result is not what this app reads: ${parsed.error.message.slice(0, 500)}` };
  }
  return { ok: true, value: parsed.data };
}
