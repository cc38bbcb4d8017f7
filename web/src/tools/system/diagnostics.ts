/**
 * `system_diagnostics`: what this machine offers the tools — WebGPU adapter, CPU, memory,
 * cross-origin isolation, versions — and how far away the relay is.
 */
import { VIAL_VERSION } from '@vial/shared';
import {
  defineTool,
  jsonResource,
  jsonResult,
  type HostServices,
  type ResourceDefinition,
} from '../../server/toolRegistry.ts';
import type { DiagnosticsOutput as Diagnostics, WebGpuReport } from './outputs.ts';

export type { DiagnosticsOutput as Diagnostics, WebGpuReport } from './outputs.ts';

/** The parts of `navigator` this reads; all optional, since Node and older browsers lack some. */
interface NavigatorLike {
  userAgent?: string;
  hardwareConcurrency?: number;
  deviceMemory?: number;
  gpu?: { requestAdapter(): Promise<AdapterLike | null> };
}
interface AdapterLike {
  info?: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  features: Iterable<string>;
  limits: object;
}

function runtimeKind(): Diagnostics['runtime']['kind'] {
  if (typeof window !== 'undefined') return 'browser';
  if (typeof self !== 'undefined' && typeof (self as { importScripts?: unknown }).importScripts === 'function')
    return 'worker';
  return 'node';
}

export async function probeWebGpu(nav: NavigatorLike | undefined): Promise<WebGpuReport> {
  if (!nav?.gpu)
    return {
      available: false,
      reason: 'navigator.gpu is missing: this browser has no WebGPU, or the page is not a secure context',
    };
  let adapter: AdapterLike | null;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch (error) {
    return { available: false, reason: `requestAdapter() failed: ${(error as Error).message}` };
  }
  if (!adapter)
    return {
      available: false,
      reason: 'requestAdapter() returned null: WebGPU is blocked or no GPU adapter is usable',
    };
  const limits: Record<string, number> = {};
  // GPUSupportedLimits exposes its values as prototype getters, so a for-in walks them.
  for (const key in adapter.limits) {
    const value = (adapter.limits as Record<string, unknown>)[key];
    if (typeof value === 'number') limits[key] = value;
  }
  const info = adapter.info;
  return {
    available: true,
    adapter: {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      isFallbackAdapter: info?.isFallbackAdapter ?? false,
    },
    features: [...adapter.features].sort(),
    limits,
  };
}

export async function collectDiagnostics(services: HostServices): Promise<Diagnostics> {
  const nav = (globalThis as { navigator?: NavigatorLike }).navigator;
  // The SDK is loaded by the time a client calls this (sessions are served by it); importing it
  // here, not at the top, keeps it out of the tab's first download.
  const [webgpu, roundTripMs, { SUPPORTED_PROTOCOL_VERSIONS }] = await Promise.all([
    probeWebGpu(nav),
    services.measureRelayRtt(),
    import('@modelcontextprotocol/server'),
  ]);
  const kind = runtimeKind();
  return {
    vial: { version: VIAL_VERSION, hostId: services.hostId, mcpProtocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS] },
    runtime: {
      kind,
      userAgent: nav?.userAgent ?? `Node.js ${globalThis.process?.version ?? ''}`.trim(),
      secureContext: globalThis.isSecureContext ?? false,
      crossOriginIsolated: globalThis.crossOriginIsolated ?? false,
      sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    },
    cpu: { logicalCores: nav?.hardwareConcurrency ?? null },
    memory: { deviceMemoryGiB: nav?.deviceMemory ?? null },
    webgpu,
    relay: { roundTripMs: roundTripMs === undefined ? null : Math.round(roundTripMs * 1000) / 1000 },
    collectedAt: new Date().toISOString(),
  };
}

export const systemDiagnostics = defineTool({
  name: 'system_diagnostics',
  title: 'System diagnostics',
  description:
    "Reports what the user's machine offers Vial's tools: WebGPU adapter (vendor, architecture, features, limits), CPU cores, device memory, cross-origin isolation, Vial and MCP versions, and the round-trip time from the tab to the relay. Call it first when a GPU tool fails or is slow.",
  scopes: [],
  access: 'read',
  input: {},
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async (_input, { services }) => jsonResult(await collectDiagnostics(services)),
});

export const diagnosticsResource: ResourceDefinition = {
  name: 'system_diagnostics',
  uri: 'vial://system/diagnostics',
  title: 'System diagnostics',
  description: 'The same report as the system_diagnostics tool, as a JSON resource.',
  mimeType: 'application/json',
  scopes: [],
  read: async (uri, { services }) => jsonResource(uri, await collectDiagnostics(services)),
};
