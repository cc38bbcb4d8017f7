/**
 * Provider keys never leave the relay. Error messages are built from what providers answer,
 * and some providers quote the key they were sent ("Incorrect API key provided: sk-…"), so
 * every message is scrubbed of every configured key before it reaches a tab or a log.
 */
const REDACTED = '[redacted key]';
/** Keys shorter than this would match ordinary words; real provider keys are far longer. */
const MIN_SECRET_LENGTH = 8;

export function createSecretScrubber(secrets: Array<string | undefined>): (text: string) => string {
  const known = [
    ...new Set(secrets.filter((secret): secret is string => !!secret && secret.length >= MIN_SECRET_LENGTH)),
  ];
  if (known.length === 0) return (text) => text;
  return (text) => known.reduce((clean, secret) => clean.replaceAll(secret, REDACTED), text);
}
