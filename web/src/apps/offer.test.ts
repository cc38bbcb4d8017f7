import type { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { APP_MIME_TYPE, UI_EXTENSION } from './catalog.ts';
import { rendersApps } from './offer.ts';

/** A server whose request came from a client with `capabilities`. */
const servedTo = (capabilities: unknown) =>
  ({ server: { getClientCapabilities: () => capabilities } }) as unknown as McpServer;

describe('rendersApps', () => {
  it("is true for a client that lists the app MIME type, or names the extension with no list (mimeTypes is the spec's only setting)", () => {
    expect(rendersApps(servedTo({ extensions: { [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } } }))).toBe(true);
    expect(rendersApps(servedTo({ extensions: { [UI_EXTENSION]: { mimeTypes: ['x', APP_MIME_TYPE] } } }))).toBe(true);
    expect(rendersApps(servedTo({ extensions: { [UI_EXTENSION]: {} } }))).toBe(true);
  });

  it('is false for no capabilities, another extension, other MIME types, or a setting that is not an object', () => {
    expect(rendersApps(servedTo(undefined))).toBe(false);
    expect(rendersApps(servedTo({}))).toBe(false);
    expect(rendersApps(servedTo({ extensions: { 'example.com/ui': { mimeTypes: [APP_MIME_TYPE] } } }))).toBe(false);
    expect(rendersApps(servedTo({ extensions: { [UI_EXTENSION]: { mimeTypes: ['text/uri-list'] } } }))).toBe(false);
    expect(rendersApps(servedTo({ extensions: { [UI_EXTENSION]: { mimeTypes: [] } } }))).toBe(false);
    expect(rendersApps(servedTo({ extensions: { [UI_EXTENSION]: true } }))).toBe(false);
    expect(rendersApps(servedTo({ extensions: { [UI_EXTENSION]: null } }))).toBe(false);
  });
});
