/**
 * Whether the app was opened as an OAuth consent page (`/consent/<uid>`), read by the entry before
 * anything else starts. Kept apart from the page's code so the host app's first paint does not
 * carry it.
 */

/** The interaction id in a consent page's path, or undefined when the path is not a consent page. */
export function consentUidFromPath(pathname: string): string | undefined {
  return /^\/consent\/([A-Za-z0-9_-]{1,128})\/?$/.exec(pathname)?.[1];
}
