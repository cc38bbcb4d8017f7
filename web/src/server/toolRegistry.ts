/**
 * The single registry of tools, resources and prompts. Every client session gets its own
 * `McpServer` built from it; each tool call is checked against the session token's scopes and
 * reported to the Activity feed.
 */
import {
  McpServer,
  ResourceTemplate,
  type CallToolResult,
  type GetPromptResult,
  type ReadResourceResult,
  type ServerContext,
  type StandardSchemaWithJSON,
  type ToolAnnotations,
} from '@modelcontextprotocol/server';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import { VIAL_VERSION, type ClientIdentity, type Scope } from '@vial/shared';
import { z } from 'zod';
import type { ApprovalPreview } from './approvals.ts';
import type { AuditLog } from '../audit/auditLog.ts';
import { argumentsPreview, type CallGate } from './callGate.ts';
import type { LlmGateway } from '../llm/gateway.ts';
import type { ToolAccess } from './permissions.ts';
import { ToolError } from './toolError.ts';

type Shape = Record<string, z.ZodType>;
type Infer<S extends Shape> = { [K in keyof S]: z.infer<S[K]> };

/** What the host offers to tools beyond the call itself. */
export interface HostServices {
  hostId: string;
  /** A fresh round-trip time to the relay in ms, or undefined when it cannot be measured. */
  measureRelayRtt(): Promise<number | undefined>;
  /** This host's tool-call audit log. */
  audit: AuditLog;
  /** The relay's LLM gateway, reached with this tab connection's key. */
  llm: LlmGateway;
}

/** A tool call as it happens: reported when it starts, while it waits for approval and when it ends. */
export interface ActivityEvent {
  id: string;
  sessionId: string;
  /** The token name the client connected with, and the token's id. */
  client: string;
  clientId: string;
  tool: string;
  startedAt: number;
  durationMs?: number;
  outcome: 'running' | 'waiting' | 'ok' | 'error' | 'cancelled' | 'denied' | 'rejected';
  detail?: string;
  /** What the tool does and the scopes it needs, for the audit log. */
  access?: ToolAccess;
  scopes?: readonly Scope[];
}

export interface SessionInfo {
  sessionId: string;
  client: ClientIdentity;
  services: HostServices;
  /** The tab's permission policy and approval queue, applied after the token's scopes. */
  gate: CallGate;
  /**
   * Told when a call starts, waits and ends; `input` is the call's arguments, for the audit log.
   * For an approved signing call's start (and a tool's `auditNote`) it returns a promise that
   * resolves once the audit log has stored it, and rejects when it could not.
   */
  report(event: ActivityEvent, input: unknown): void | Promise<void>;
}

export interface ToolContext {
  signal: AbortSignal;
  client: ClientIdentity;
  services: HostServices;
  server: McpServer;
  /**
   * The SDK's context for this request: its id and `_meta` (`mcpReq`), requests and notifications
   * related to it (`mcpReq.send`, `mcpReq.notify`), and `http.closeSSE` where the client can resume.
   */
  mcp: ServerContext;
  /** Sends `notifications/progress` when the client asked for progress (no-op otherwise). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * Writes a step of this call to the audit log now, before the call ends (e.g. "sent 0x… on
   * chain 1"), and resolves once it is stored: a tab closed before the call ends keeps it.
   */
  auditNote(detail: string): Promise<void>;
}

export interface ToolDefinition<S extends Shape = Shape> {
  name: string;
  title?: string;
  description: string;
  /** Scopes the caller's token must hold; empty means any valid token. */
  scopes: readonly Scope[];
  /**
   * What the tool does, which sets its default permission (read and compute allow, sign prompts).
   * A tool that does not say is unknown to the policy and denied until the person allows it.
   */
  access?: ToolAccess;
  /**
   * The arguments as a zod raw shape; or a `z.object(...)` of that shape when the schema itself
   * needs settings, e.g. `z.strictObject` (no extra keys) or a JSON Schema dialect via `.meta()`.
   */
  input: S | z.ZodObject<S, z.core.$ZodObjectConfig>;
  annotations?: ToolAnnotations;
  run(input: Infer<S>, context: ToolContext): Promise<CallToolResult>;
  /**
   * What the person at the tab sees when this call needs their approval (signing tools decode
   * the transaction here). It may throw a `ToolError` to refuse bad input before anyone is asked.
   * Without it they see the client, the tool and the arguments.
   */
  preview?(input: Infer<S>, context: ToolContext): Promise<ApprovalPreview>;
}

export interface ResourceContext {
  services: HostServices;
  /** Who reads: resources that hold clients' data show each client its own. */
  client: ClientIdentity;
  /** The SDK's context for this read (see `ToolContext.mcp`). */
  mcp: ServerContext;
}

export interface ResourceDefinition {
  name: string;
  uri: string;
  title?: string;
  description: string;
  mimeType: string;
  /** Scopes the reader's token must hold; empty means any valid token. */
  scopes: readonly Scope[];
  read(uri: URL, context: ResourceContext): Promise<ReadResourceResult>;
}

/** A family of resources under one URI template, e.g. `vial://quantum/circuits/{hash}`. */
export interface ResourceTemplateDefinition {
  name: string;
  /** RFC 6570 URI template. */
  template: string;
  title?: string;
  description: string;
  mimeType: string;
  scopes: readonly Scope[];
  /** The concrete resources, for `resources/list`; absent when the family cannot be enumerated. */
  list?(context: ResourceContext): Promise<Array<{ uri: string; name: string; description?: string }>>;
  read(uri: URL, variables: Record<string, string | string[]>, context: ResourceContext): Promise<ReadResourceResult>;
}

export interface PromptDefinition<
  S extends Record<string, z.ZodType<string | undefined>> = Record<string, z.ZodType<string | undefined>>,
> {
  name: string;
  title?: string;
  description: string;
  args: S;
  build(args: Infer<S>, context: { services: HostServices }): GetPromptResult | Promise<GetPromptResult>;
}

/** A named group of tools, resources and prompts, e.g. `system` or `quantum`. */
export interface ToolPack {
  name: string;
  tools: ToolDefinition[];
  resources?: ResourceDefinition[];
  resourceTemplates?: ResourceTemplateDefinition[];
  prompts?: PromptDefinition[];
  /** For protocol features beyond tools/resources/prompts (e.g. subscriptions in test fixtures). */
  install?(server: McpServer, session: SessionInfo): void;
}

/** Keeps a tool's input type while letting packs hold tools of different shapes. */
export function defineTool<S extends Shape>(definition: ToolDefinition<S>): ToolDefinition {
  return definition as unknown as ToolDefinition;
}

export function definePrompt<S extends Record<string, z.ZodType<string | undefined>>>(
  definition: PromptDefinition<S>,
): PromptDefinition {
  return definition as unknown as PromptDefinition;
}

export function jsonResult(value: unknown): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
    structuredContent: value as Record<string, unknown>,
  };
}

/** A resource read whose one content is `value` as indented JSON. */
export function jsonResource(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

let activitySequence = 0;

export class ToolRegistry {
  private readonly packs: ToolPack[] = [];

  constructor(packs: ToolPack[] = []) {
    for (const pack of packs) this.add(pack);
  }

  add(pack: ToolPack): void {
    const known = new Set(this.tools().map((tool) => tool.name));
    for (const tool of pack.tools) {
      if (known.has(tool.name)) throw new Error(`tool '${tool.name}' of pack '${pack.name}' is already registered`);
    }
    this.packs.push(pack);
  }

  tools(): ToolDefinition[] {
    return this.packs.flatMap((pack) => pack.tools);
  }

  /** Builds the MCP server for one client session, with this registry's packs plus `extraPacks`. */
  createServer(session: SessionInfo, extraPacks: ToolPack[] = []): McpServer {
    const server = new McpServer(
      { name: 'vial', title: 'Vial', version: VIAL_VERSION },
      {
        capabilities: { logging: {} },
        // No code generation (ajv, the SDK's default under Node, compiles schemas with new
        // Function): the same validator in Node hosts as in the tab, where the SDK's `browser`
        // export condition already picks it and leaves ajv out of the bundle.
        jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
        instructions:
          "Tools run in the user's own browser tab (their GPU and wallet). Call system_diagnostics to see what this machine offers.",
      },
    );
    for (const pack of [...this.packs, ...extraPacks]) {
      for (const tool of pack.tools) registerTool(server, tool, session);
      for (const resource of pack.resources ?? []) {
        server.registerResource(
          resource.name,
          resource.uri,
          { title: resource.title, description: resource.description, mimeType: resource.mimeType },
          (uri, mcp) => {
            requireScopes(resource.scopes, resource.uri, session);
            return resource.read(uri, { services: session.services, client: session.client, mcp });
          },
        );
      }
      for (const resource of pack.resourceTemplates ?? []) {
        const listed = resource.list;
        const list = listed
          ? async (mcp: ServerContext) => {
              // Clients without the scope simply see none of these resources listed.
              if (missingScopes(resource.scopes, session).length > 0) return { resources: [] };
              const items = await listed({ services: session.services, client: session.client, mcp });
              return { resources: items.map((item) => ({ ...item, mimeType: resource.mimeType })) };
            }
          : undefined;
        server.registerResource(
          resource.name,
          new ResourceTemplate(resource.template, { list }),
          { title: resource.title, description: resource.description, mimeType: resource.mimeType },
          (uri, variables, mcp) => {
            requireScopes(resource.scopes, resource.template, session);
            return resource.read(uri, variables, { services: session.services, client: session.client, mcp });
          },
        );
      }
      for (const prompt of pack.prompts ?? []) {
        server.registerPrompt(
          prompt.name,
          { title: prompt.title, description: prompt.description, argsSchema: prompt.args },
          (args: Record<string, string | undefined>) => prompt.build(args, { services: session.services }),
        );
      }
      pack.install?.(server, session);
    }
    return server;
  }
}

function missingScopes(scopes: readonly Scope[], session: SessionInfo): Scope[] {
  return scopes.filter((scope) => !session.client.scopes.includes(scope));
}

function scopeMessage(missing: Scope[], what: string, session: SessionInfo): string {
  const list = missing.join(', ');
  return `Token '${session.client.tokenName}' lacks the scope${missing.length > 1 ? 's' : ''} ${list} needed by ${what}. In the Vial app's Connect view, mint a token that includes ${list} and reconnect with it.`;
}

function requireScopes(scopes: readonly Scope[], what: string, session: SessionInfo): void {
  const missing = missingScopes(scopes, session);
  if (missing.length > 0) throw new Error(scopeMessage(missing, what, session));
}

/**
 * A tool's arguments as one zod object: a raw shape becomes `z.object(shape)` (unknown keys
 * stripped), as the SDK would make it; an object schema keeps its own settings.
 */
function objectSchema(input: ToolDefinition['input']): StandardSchemaWithJSON {
  return input instanceof z.ZodObject ? input : z.object(input);
}

function registerTool(server: McpServer, tool: ToolDefinition, session: SessionInfo): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: objectSchema(tool.input),
      annotations: tool.annotations,
    },
    async (input: unknown, mcp: ServerContext) => {
      const event: ActivityEvent = {
        id: `call-${++activitySequence}`,
        sessionId: session.sessionId,
        client: session.client.tokenName,
        clientId: session.client.tokenId,
        tool: tool.name,
        startedAt: Date.now(),
        outcome: 'running',
        access: tool.access,
        scopes: tool.scopes,
      };
      const finish = (outcome: ActivityEvent['outcome'], result: CallToolResult, detail?: string) => {
        session.report({ ...event, outcome, detail, durationMs: Date.now() - event.startedAt }, input);
        return result;
      };
      const context: ToolContext = {
        signal: mcp.mcpReq.signal,
        client: session.client,
        services: session.services,
        server,
        mcp,
        progress: (progress, total, message) => sendProgress(mcp, progress, total, message),
        auditNote: async (detail) => {
          try {
            await session.report({ ...event, detail }, input);
          } catch (error) {
            console.error(`Vial: could not note a step of ${tool.name} in the audit log: ${(error as Error).message}`);
          }
        },
      };

      try {
        const missing = missingScopes(tool.scopes, session);
        if (missing.length > 0) {
          const message = scopeMessage(missing, tool.name, session);
          return finish('denied', errorResult(message), message);
        }
        const verdict = await session.gate.admit({
          tool: tool.name,
          access: tool.access,
          client: session.client,
          signal: mcp.mcpReq.signal,
          preview: async () =>
            (await tool.preview?.(input as never, context)) ?? argumentsPreview(tool.name, session.client, input),
          onWaiting: () => session.report({ ...event, outcome: 'waiting' }, input),
        });
        if (!verdict.admitted) return finish(verdict.outcome, errorResult(verdict.message), verdict.message);

        // An approved signing call is in the audit log before it runs.
        await session.report(event, input);
        const result = await tool.run(input as never, context);
        if (mcp.mcpReq.signal.aborted) return finish('cancelled', result, cancelledDetail(result));
        return finish(result.isError ? 'error' : 'ok', result);
      } catch (error) {
        if (mcp.mcpReq.signal.aborted) {
          return finish('cancelled', errorResult(`${tool.name} was cancelled`), 'cancelled by the client');
        }
        const message =
          error instanceof ToolError
            ? error.message
            : `${tool.name} failed unexpectedly: ${(error as Error).message ?? error}`;
        return finish('error', errorResult(message), message);
      }
    },
  );
}

/**
 * What the activity feed and audit log say of a cancelled call. A tool that stops gracefully
 * (e.g. training that stops after its current batch) says how far it got in a `summary`.
 */
function cancelledDetail(result: CallToolResult): string {
  const summary = (result.structuredContent as { summary?: unknown } | undefined)?.summary;
  return typeof summary === 'string' ? `cancelled by the client. ${summary}` : 'cancelled by the client';
}

async function sendProgress(mcp: ServerContext, progress: number, total?: number, message?: string): Promise<void> {
  const progressToken = mcp.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return;
  await mcp.mcpReq.notify({
    method: 'notifications/progress',
    params: { progressToken, progress, ...(total === undefined ? {} : { total }), ...(message ? { message } : {}) },
  });
}
