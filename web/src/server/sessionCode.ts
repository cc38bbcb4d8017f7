/**
 * The code that serves client sessions, loaded when the tab goes online instead of in its first
 * download: the MCP SDK (behind `sessionServer.ts` and `sessionTransport.ts`) and the fixture
 * packs the relay switched on. Modules load once; going online again finds them loaded.
 */
import type { ModernRequests } from './modernRequests.ts';
import type { createSessionServer } from './sessionServer.ts';
import type { SessionTransport } from './sessionTransport.ts';
import type { ToolPack } from './toolRegistry.ts';

export interface SessionCode {
  createSessionServer: typeof createSessionServer;
  SessionTransport: typeof SessionTransport;
  /** Serves the 2026-07-28 era's requests, each standing alone. */
  ModernRequests: typeof ModernRequests;
  /** What clients are told about this server. */
  instructions: string;
  /** The fixture packs named and loaded; one that failed to load is left out, said why. */
  fixturePacks: ToolPack[];
}

export async function loadSessionCode(
  fixtureNames: string[],
  fixtureLoaders: Record<string, () => Promise<ToolPack>>,
): Promise<SessionCode> {
  // Own properties only: a fixture name from the relay such as `constructor` must find nothing.
  const wanted = fixtureNames.filter((name) => Object.hasOwn(fixtureLoaders, name));
  const fixtures = wanted.map((name) =>
    fixtureLoaders[name]!().catch((error: unknown) => {
      console.error(`Vial: could not load the fixture pack ${name}: ${(error as Error).message}`);
      return undefined;
    }),
  );
  const [sessionServer, sessionTransport, modernRequests, ...packs] = await Promise.all([
    import('./sessionServer.ts'),
    import('./sessionTransport.ts'),
    import('./modernRequests.ts'),
    ...fixtures,
  ]);
  return {
    createSessionServer: sessionServer.createSessionServer,
    SessionTransport: sessionTransport.SessionTransport,
    ModernRequests: modernRequests.ModernRequests,
    instructions: sessionServer.SERVER_INSTRUCTIONS,
    fixturePacks: packs.filter((pack) => pack !== undefined),
  };
}
