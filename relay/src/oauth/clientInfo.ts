/**
 * Who a client is, as the consent screen and the Connect view show it: its name, where it sends
 * the person back to (the redirect hostnames, which the MCP security pages require be shown),
 * and whether it is identified by a metadata document at its client id or registered dynamically.
 */
import type { Client } from 'oidc-provider';
import type { OAuthClient } from '@vial/shared';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function describeClient(client: Client): OAuthClient {
  const redirects = (client.redirectUris ?? []).map((uri) => URL.parse(uri)).filter((url) => url !== null);
  // A native app's own scheme (`cursor://…`) has no hostname: its scheme is what the person can check.
  const redirectHosts = [...new Set(redirects.map((url) => url.hostname || url.protocol.replace(/:$/, '')))];
  const logo = typeof client.logoUri === 'string' ? URL.parse(client.logoUri) : null;
  const name =
    typeof client.clientName === 'string' && client.clientName.trim() ? client.clientName.trim() : 'unnamed client';
  return {
    clientId: client.clientId.slice(0, 2048),
    name: name.slice(0, 200),
    cimd: /^https:\/\//.test(client.clientId),
    ...(typeof client.clientUri === 'string' ? { clientUri: client.clientUri.slice(0, 2048) } : {}),
    ...(logo?.hostname ? { logoHost: logo.hostname.slice(0, 253) } : {}),
    redirectHosts: (redirectHosts.length > 0 ? redirectHosts : ['(none)'])
      .slice(0, 10)
      .map((host) => host.slice(0, 253)),
    loopbackOnly: redirects.length > 0 && redirects.every((url) => LOOPBACK.has(url.hostname)),
  };
}
