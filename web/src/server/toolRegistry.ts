/**
 * The single registry of tools, resources and prompts, and the shapes a tool pack is written in.
 * Every client session gets its own `McpServer` built from it (`sessionServer.ts`, loaded once
 * the tab is online, so the SDK is not part of the first download).
 */
import type {
  CallToolResult,
  GetPromptResult,
  McpServer,
  ReadResourceResult,
  ServerContext,
  ToolAnnotations,
} from '@modelcontextprotocol/server';
import type { ClientIdentity, HostEvent, HostEventAudience, Scope } from '@vial/shared';
import type { z } from 'zod';
import type { AppHtmlSource } from '../apps/offer.ts';
import type { ToolName, ToolOutput } from '../tools/outputs.ts';
import type { ApprovalPreview } from './approvals.ts';
import type { AuditLog } from '../audit/auditLog.ts';
import type { CallGate } from './callGate.ts';
import type { LlmGateway } from '../llm/gateway.ts';
import type { ToolAccess } from './permissions.ts';

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
  /** Tells listening clients of a change (see `PublishChange`); absent where none listens (no host runtime). */
  changed?: PublishChange;
}

/**
 * Tells listening clients that what a list or resource shows changed (a circuit stored, a model
 * loaded), and which of them may learn it: those whose token could read it (`audience`).
 */
export type PublishChange = (event: HostEvent, audience?: HostEventAudience) => void;

/** A tool call as it happens: reported when it starts, while it waits for approval and when it ends. */
export interface ActivityEvent {
  id: string;
  sessionId: string;
  /** The token name the client connected with, and the token's id. */
  client: string;
  clientId: string;
  /** The MCP client's own name (its `clientInfo`, from `_meta` or initialize), when it gave one. */
  app?: string;
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

/**
 * A tool's own output schema: a zod object, advertised as the tool's `outputSchema` and checked
 * against every `structuredContent` it returns. Vial's tools name theirs in `toolOutputs`
 * (`web/src/tools/outputs.ts`, zod only, where an MCP App can import them without the tool's code).
 */
export type OutputSchema = z.ZodObject;

/**
 * Where a structured tool's output schema is: `'toolOutputs'`, the entry of `toolOutputs` under
 * the tool's name, looked up by the session server (which loads after the first paint, so no
 * schema is in the tab's entry chunk); or the tool's own zod object (tests' tools).
 */
export type OutputRef = 'toolOutputs' | OutputSchema;

/** A tool's answer: its structured result (and the same as JSON text, for clients that read text). */
export type StructuredResult<T> = {
  content: CallToolResult['content'];
  structuredContent: T;
  /** Set where the result is a failure that still has a structured answer (every model failed). */
  isError?: boolean;
  _meta?: CallToolResult['_meta'];
};

/** A tool's refusal or failure: text only, as every tool reports errors. */
export type ErrorResult = CallToolResult & { isError: true };

/** What a tool with output `O` may answer: its structured result, or an error. */
export type ToolResult<T> = StructuredResult<T> | ErrorResult;

/** What every tool declares, whatever it answers. */
interface ToolBase<S extends Shape> {
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
  /**
   * What the person at the tab sees when this call needs their approval (signing tools decode
   * the transaction here). It may throw a `ToolError` to refuse bad input before anyone is asked.
   * Without it they see the client, the tool and the arguments.
   */
  preview?(input: Infer<S>, context: ToolContext): Promise<ApprovalPreview>;
}

/**
 * A tool that answers with `structuredContent` of its output schema (or an error), as a pack holds
 * it: made by `defineTool` (Vial's tools) or `defineToolWithOutput` (a schema of its own).
 */
export interface StructuredTool<
  S extends Shape = Shape,
  T extends object = Record<string, unknown>,
> extends ToolBase<S> {
  /** Where its `outputSchema` is (see `OutputRef`). */
  output: OutputRef;
  run(input: Infer<S>, context: ToolContext): Promise<ToolResult<T>>;
}

/**
 * A Vial tool as written: its name is a key of `toolOutputs`, whose schema is its `outputSchema`,
 * and `run` must answer with that schema's type (or an error). A tool whose name has no schema
 * there does not compile. Types only: the schemas stay out of the tab's first download.
 */
export type NamedTool<S extends Shape, N extends ToolName> = ToolBase<S> & {
  name: N;
  run(input: Infer<S>, context: ToolContext): Promise<ToolResult<ToolOutput<N>>>;
};

/** A tool with an output schema of its own, outside `toolOutputs` (tests' tools). */
export type ToolWithOutput<S extends Shape, O extends OutputSchema> = ToolBase<S> & {
  output: O;
  run(input: Infer<S>, context: ToolContext): Promise<ToolResult<z.output<O>>>;
};

/**
 * A tool that answers with content blocks only and declares no `outputSchema`: for fixtures that
 * mirror another server's tools (the conformance suite's) and for the benchmarks' path-only
 * tools. Vial's own tools are `StructuredTool`s (`defineTool`); a test checks every one has its schema.
 */
export interface ContentTool<S extends Shape = Shape> extends ToolBase<S> {
  output?: undefined;
  run(input: Infer<S>, context: ToolContext): Promise<CallToolResult>;
}

/** Any tool a pack holds. */
export type ToolDefinition = StructuredTool | ContentTool;

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
  /**
   * Publishes, through `changed`, what changes in this pack's lists and resources whoever makes it
   * (a client's tool call or the person in the tab's own views); returns how to stop.
   */
  watch?(changed: PublishChange): () => void;
  /**
   * Checks a multi-round-trip `requestState` a client echoes back (2026-07-28) before any handler
   * runs, for a pack whose tools mint one: it throws on state it did not mint (the client gets
   * -32602), and resolves with what `mcp.mcpReq.requestState()` then reads.
   */
  verifyRequestState?(state: string, context: ServerContext): Promise<unknown>;
  /**
   * Where the MCP Apps' pages come from (web/src/apps), for a host without the tab's origin (a Node
   * host; the tab fetches them from its own). The first pack that has one gives it.
   */
  appHtml?: AppHtmlSource;
}

/**
 * A Vial tool: checks its input and output types (see `NamedTool`) while letting packs hold tools
 * of different shapes. Its output schema is `toolOutputs[name]`, which the session server looks up.
 */
export function defineTool<S extends Shape, N extends ToolName>(definition: NamedTool<S, N>): StructuredTool {
  return { ...definition, output: 'toolOutputs' } as unknown as StructuredTool;
}

/** A tool with its own output schema (see `ToolWithOutput`: tests' tools). */
export function defineToolWithOutput<S extends Shape, O extends OutputSchema>(
  definition: ToolWithOutput<S, O>,
): StructuredTool {
  return definition as unknown as StructuredTool;
}

/** A tool without an `outputSchema` (see `ContentTool`: fixtures and benchmarks only). */
export function defineContentTool<S extends Shape>(definition: ContentTool<S>): ContentTool {
  return definition as unknown as ContentTool;
}

export function definePrompt<S extends Record<string, z.ZodType<string | undefined>>>(
  definition: PromptDefinition<S>,
): PromptDefinition {
  return definition as unknown as PromptDefinition;
}

/** A tool's structured result, with the same value as indented JSON text for clients that read text. */
export function jsonResult<T extends object>(value: T): StructuredResult<T> {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** A resource read whose one content is `value` as indented JSON. */
export function jsonResource(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

export function errorResult(message: string): ErrorResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

export class ToolRegistry {
  private readonly packs: ToolPack[] = [];
  private readonly listeners = new Set<(pack: ToolPack) => void>();

  constructor(packs: ToolPack[] = []) {
    for (const pack of packs) this.add(pack);
  }

  add(pack: ToolPack): void {
    const known = new Set(this.tools().map((tool) => tool.name));
    for (const tool of pack.tools) {
      if (known.has(tool.name)) throw new Error(`tool '${tool.name}' of pack '${pack.name}' is already registered`);
    }
    this.packs.push(pack);
    for (const listener of this.listeners) listener(pack);
  }

  /** Calls `listener` with each pack added from now on (every list a client sees changes); returns how to stop. */
  onChange(listener: (pack: ToolPack) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  tools(): ToolDefinition[] {
    return this.packs.flatMap((pack) => pack.tools);
  }

  /** This registry's packs followed by `extraPacks`, in the order a session registers them. */
  packsWith(extraPacks: ToolPack[] = []): ToolPack[] {
    return [...this.packs, ...extraPacks];
  }
}
