import type { ToolPack } from '../host/registry.ts';
import { conformancePack } from './conformance/index.ts';

/**
 * Test-only tool packs the relay can switch on by name (`VIAL_FIXTURES=conformance`), e.g. the
 * fixed-name tools the official MCP conformance suite calls. A pack listed here is only served
 * to sessions when the relay asks for it.
 */
export const fixturePacks: Record<string, ToolPack> = {
  conformance: conformancePack,
};
