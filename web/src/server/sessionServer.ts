/**
 * One client session's `McpServer`, built from the tool packs: each tool call is checked against
 * the session token's scopes and the tab's call gate, and reported to the Activity feed and the
 * audit log. This module is where the tab's MCP SDK lives; the runtime loads it when it goes
 * online.
 */
import {
  McpServer,
  ResourceTemplate,
  type CallToolResult,
  type ServerContext,
  type StandardSchemaWithJSON,
} from '@modelcontextprotocol/server';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import { VIAL_VERSION, type Scope } from '@vial/shared';
import { z } from 'zod';
import { appForTool, linkToolToApp, registerAppResources } from '../apps/offer.ts';
import { argumentsPreview } from './callGate.ts';
import { boundOutputCheck, noteResultSize } from './outputCheck.ts';
import { toolOutputs, type ToolName } from '../tools/outputs.ts';
import { ToolError } from './toolError.ts';
import {
  errorResult,
  type ActivityEvent,
  type OutputSchema,
  type SessionInfo,
  type ToolContext,
  type ToolDefinition,
  type ToolPack,
} from './toolRegistry.ts';

let activitySequence = 0;

/** What every client is told about this server, in a session's initialize and in `server/discover`. */
export const SERVER_INSTRUCTIONS =
  "Tools run in the user's own browser tab (their GPU and wallet). Call system_diagnostics to see what this machine offers.";

/**
 * How long a 2026-07-28 client may keep each list (`ttlMs`, `cacheScope`; 2025 answers carry
 * none). Always `private`: what a list holds depends on the token's scopes. Tools and prompts
 * change rarely and `subscriptions/listen` says when; resources change with every circuit run and
 * model loaded; the templates change only with the code.
 */
const LIST_CACHE_HINTS = {
  'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
  'prompts/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/list': { ttlMs: 5_000, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: 300_000, cacheScope: 'private' },
} as const;

/**
 * Builds the MCP server for one client session from `packs` (a registry's `packsWith`). A modern
 * request gets a server of its own, and one that calls a tool needs only that tool: `onlyTool`
 * registers it alone (with no resources or prompts), which saves converting every other tool's
 * schema per call. A name no pack has gets the whole server, so the answer is the usual one.
 */
export function createSessionServer(packs: ToolPack[], session: SessionInfo, onlyTool?: string): McpServer {
  const server = new McpServer(
    { name: 'vial', title: 'Vial', version: VIAL_VERSION },
    {
      capabilities: { logging: {} },
      // No code generation (ajv, the SDK's default under Node, compiles schemas with new
      // Function): the same validator in Node hosts as in the tab, where the SDK's `browser`
      // export condition already picks it and leaves ajv out of the bundle.
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      instructions: SERVER_INSTRUCTIONS,
      cacheHints: LIST_CACHE_HINTS,
      requestState: { verify: (state, mcp) => verifyRequestState(packs, state, mcp) },
    },
  );
  const called =
    onlyTool === undefined ? undefined : packs.flatMap((pack) => pack.tools).find((tool) => tool.name === onlyTool);
  if (called) {
    registerTool(server, called, session);
    for (const pack of packs) pack.install?.(server, session);
    return server;
  }
  for (const pack of packs) {
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
  registerAppResources(server, packs.find((pack) => pack.appHtml)?.appHtml);
  return server;
}

/** State is accepted when a pack that mints state verifies it; state no pack minted is refused (-32602). */
async function verifyRequestState(packs: ToolPack[], state: string, mcp: ServerContext): Promise<unknown> {
  for (const pack of packs) {
    if (!pack.verifyRequestState) continue;
    try {
      return await pack.verifyRequestState(state, mcp);
    } catch {
      // Not this pack's: try the next.
    }
  }
  throw new Error('no tool pack of this host minted this requestState');
}

function missingScopes(scopes: readonly Scope[], session: SessionInfo): Scope[] {
  return scopes.filter((scope) => !session.client.scopes.includes(scope));
}

function scopeMessage(missing: Scope[], what: string, session: SessionInfo): string {
  const list = missing.join(', ');
  const plural = missing.length > 1 ? 's' : '';
  if (session.client.oauth) {
    return `OAuth client '${session.client.tokenName}' was not granted the scope${plural} ${list} needed by ${what}. Reconnect the client (sign in again) and grant ${list} in the consent screen of your Vial tab.`;
  }
  return `Token '${session.client.tokenName}' lacks the scope${plural} ${list} needed by ${what}. In the Vial app's Connect view, mint a token that includes ${list} and reconnect with it.`;
}

function requireScopes(scopes: readonly Scope[], what: string, session: SessionInfo): void {
  const missing = missingScopes(scopes, session);
  if (missing.length > 0) throw new Error(scopeMessage(missing, what, session));
}

/** Each tool's argument schema, made once (see `objectSchema`). */
const inputSchemas = new WeakMap<ToolDefinition, StandardSchemaWithJSON>();

/**
 * A tool's arguments as one zod object: a raw shape becomes `z.object(shape)` (unknown keys
 * stripped), as the SDK would make it; an object schema keeps its own settings. Made once per
 * tool, with its JSON Schema kept once converted: a modern request gets a server of its own, and
 * the SDK converts a tool's schema in each server that lists it or checks a call's `Mcp-Param`
 * headers, about 0.2 ms a tool (a modern tools/list of the Node host's 18 tools: 3.5 ms).
 */
function objectSchema(tool: ToolDefinition): StandardSchemaWithJSON {
  let schema = inputSchemas.get(tool);
  if (!schema) {
    schema = withKeptJsonSchema(tool.input instanceof z.ZodObject ? tool.input : z.object(tool.input));
    inputSchemas.set(tool, schema);
  }
  return schema;
}

/**
 * The zod object `tool` answers with: a Vial tool's is the one `toolOutputs` names for it (the
 * tool's module refers to it by type only, keeping the schemas out of the tab's first download),
 * a test tool's its own; a content-only tool has none.
 */
export function toolOutputSchema(tool: ToolDefinition): OutputSchema | undefined {
  if (tool.output !== 'toolOutputs') return tool.output;
  if (!Object.hasOwn(toolOutputs, tool.name)) {
    throw new Error(`tool '${tool.name}' has no output schema in web/src/tools/outputs.ts (toolOutputs)`);
  }
  return toolOutputs[tool.name as ToolName];
}

/** Each output schema, its JSON Schema kept once converted (two tools may share one, e.g. the inference tools). */
const outputSchemas = new WeakMap<z.ZodObject, StandardSchemaWithJSON>();

/** A tool's `outputSchema` for the SDK, which advertises it and checks every `structuredContent` against it (`outputCheck.ts`). */
function outputSchema(tool: ToolDefinition): StandardSchemaWithJSON | undefined {
  const output = toolOutputSchema(tool);
  if (!output) return undefined;
  let schema = outputSchemas.get(output);
  if (!schema) {
    boundOutputCheck(output);
    schema = withKeptJsonSchema(output);
    outputSchemas.set(output, schema);
  }
  return schema;
}

/** `schema`, its `~standard.jsonSchema` answering each kind of request with the JSON Schema it converted the first time. */
function withKeptJsonSchema(schema: z.ZodObject): StandardSchemaWithJSON {
  const standard = schema['~standard'];
  type Convert = typeof standard.jsonSchema.input;
  const kept = (convert: Convert): Convert => {
    const converted = new Map<string, ReturnType<Convert>>();
    return (options) => {
      const key = JSON.stringify(options ?? {});
      let json = converted.get(key);
      if (!json) converted.set(key, (json = convert(options)));
      return json;
    };
  };
  schema['~standard'] = {
    ...standard,
    jsonSchema: { input: kept(standard.jsonSchema.input), output: kept(standard.jsonSchema.output) },
  };
  return schema;
}

function registerTool(server: McpServer, tool: ToolDefinition, session: SessionInfo): void {
  const registered = server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: objectSchema(tool),
      outputSchema: outputSchema(tool),
      annotations: tool.annotations,
    },
    async (input: unknown, mcp: ServerContext) => {
      const event: ActivityEvent = {
        id: `call-${++activitySequence}`,
        sessionId: session.sessionId,
        client: session.client.tokenName,
        clientId: session.client.tokenId,
        ...clientApp(server),
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
        noteResultSize(result);
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
  const app = appForTool(tool.name);
  if (app) linkToolToApp(server, registered, app);
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

/** The MCP client's own name, as it gave it (initialize's or `_meta`'s `clientInfo`), cut to what the audit log keeps. */
function clientApp(server: McpServer): { app?: string } {
  const name = server.server.getClientVersion()?.name;
  return name ? { app: name.slice(0, 200) } : {};
}
