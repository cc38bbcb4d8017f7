/**
 * The resource side of OAuth (RFC 9728): each host's MCP URL is a protected resource whose
 * metadata names this relay as its authorization server, and a 401 at that URL points to it.
 * Which origins a resource may be on: VIAL_PUBLIC_URL's alone when it is set; on a loopback
 * relay without one, the local names the Host guard already limits requests to (a client that
 * connects to 127.0.0.1 must find a resource on 127.0.0.1: the SDK refuses another origin).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostIdSchema, SCOPES } from '@vial/shared';
import { LOCAL_HOSTNAMES } from '../requestGuard.ts';

export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource/mcp/';

export interface ProtectedResource {
  /** The host a resource indicator names, when it is `<origin>/mcp/<hostId>` on an origin this relay serves. */
  resourceHost(indicator: string): string | undefined;
  /** The resource URL of `hostId` as the client that sent `req` reaches it. */
  resourceOf(req: IncomingMessage, hostId: string): string;
  /** `WWW-Authenticate` for a 401 at `hostId`'s MCP URL. */
  challenge(req: IncomingMessage, hostId: string, description: string): string;
  /** Serves `/.well-known/oauth-protected-resource/mcp/<hostId>`. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): void;
}

export interface ProtectedResourceOptions {
  publicUrl: string | undefined;
  /** The authorization server's issuer (this relay). */
  issuer(): string;
  hostKnown(hostId: string): boolean;
}

export function createProtectedResource(options: ProtectedResourceOptions): ProtectedResource {
  const publicOrigin = options.publicUrl === undefined ? undefined : new URL(options.publicUrl).origin;

  function originOf(req: IncomingMessage): string {
    return publicOrigin ?? `http://${req.headers.host ?? 'localhost'}`;
  }

  function originServed(url: URL): boolean {
    if (publicOrigin !== undefined) return url.origin === publicOrigin;
    return url.protocol === 'http:' && LOCAL_HOSTNAMES.has(url.hostname);
  }

  function metadataUrl(req: IncomingMessage, hostId: string): string {
    return `${originOf(req)}${PROTECTED_RESOURCE_PATH}${hostId}`;
  }

  return {
    resourceHost(indicator) {
      const url = URL.parse(indicator);
      if (!url || url.search !== '' || url.hash !== '' || url.username !== '' || !originServed(url)) return undefined;
      const match = /^\/mcp\/([^/]+)$/.exec(url.pathname);
      const hostId = match?.[1];
      if (hostId === undefined || !hostIdSchema.safeParse(hostId).success || !options.hostKnown(hostId))
        return undefined;
      return hostId;
    },
    resourceOf: (req, hostId) => `${originOf(req)}/mcp/${hostId}`,
    challenge: (req, hostId, description) =>
      `Bearer realm="vial", resource_metadata="${metadataUrl(req, hostId)}", error="invalid_token", error_description="${description}"`,
    serve(req, res, path) {
      const hostId = path.slice(PROTECTED_RESOURCE_PATH.length);
      const cors = { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' };
      if (!hostIdSchema.safeParse(hostId).success || !options.hostKnown(hostId)) {
        res.writeHead(404, { 'content-type': 'application/json', ...cors });
        res.end(JSON.stringify({ error: `no Vial host '${hostId}' on this relay` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', ...cors });
      res.end(
        JSON.stringify({
          resource: `${originOf(req)}/mcp/${hostId}`,
          authorization_servers: [options.issuer()],
          // offline_access is the authorization server's, not the resource's (MCP authorization §scopes).
          scopes_supported: SCOPES,
          bearer_methods_supported: ['header'],
          resource_name: `Vial host ${hostId}`,
        }),
      );
    },
  };
}
