/**
 * What both in-process baselines (directServer.ts, handlerServer.ts) share: the context the tab
 * gives `createSessionServer` (its services, its policy gate, a bench client and the audit log
 * of every finished call), so a baseline does the same per-call work as a tab and a comparison
 * is about the path; and a loopback listener.
 */
import type { Server } from 'node:http';
import { AuditLog, MemoryAuditStore } from '../web/src/audit/auditLog.ts';
import { RelayLlmGateway } from '../web/src/llm/gateway.ts';
import { CallGate } from '../web/src/server/callGate.ts';
import { auditFinishedCall } from '../web/src/server/runtime.ts';
import type { SessionInfo } from '../web/src/server/toolRegistry.ts';

/** The options of one session server but its id, for host `hostId`. */
export function benchSessionContext(hostId: string): Omit<SessionInfo, 'sessionId'> {
  const services = {
    hostId,
    measureRelayRtt: async () => undefined,
    audit: new AuditLog(new MemoryAuditStore()),
    // No relay here, so no LLM gateway key: LLM tools would say the tab is not connected.
    llm: new RelayLlmGateway('http://localhost', () => undefined),
  };
  return {
    client: { tokenId: 'bench', tokenName: 'bench', scopes: [] },
    services,
    gate: CallGate.withDefaults(),
    report: (event, input) => auditFinishedCall(services.audit, event, input),
  };
}

/** Starts `server` on a free loopback port and resolves to the port. */
export function listenLocally(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}
