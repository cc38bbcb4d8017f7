/** Small display helpers shared by the views. */
import type { ConnectionStatus } from '../server/relayConnection.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export const EXPIRY_OPTIONS = [
  { id: 'never', label: 'Never', ms: undefined },
  { id: '1d', label: '1 day', ms: DAY_MS },
  { id: '7d', label: '7 days', ms: 7 * DAY_MS },
  { id: '30d', label: '30 days', ms: 30 * DAY_MS },
] as const;
export type ExpiryId = (typeof EXPIRY_OPTIONS)[number]['id'];

export function expiryMs(id: ExpiryId): number | undefined {
  return EXPIRY_OPTIONS.find((option) => option.id === id)?.ms;
}

export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour12: false });
}

export function formatExpiry(expiresAt: number | null, now = Date.now()): string {
  if (expiresAt === null) return 'never';
  if (expiresAt <= now) return `expired ${formatDateTime(expiresAt)}`;
  return formatDateTime(expiresAt);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '…';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A one-line label and a longer explanation of the relay connection, for the header and Connect view. */
export function describeStatus(status: ConnectionStatus, now = Date.now(), retryAt?: number) {
  switch (status.state) {
    case 'connecting':
      return {
        label: status.attempt > 0 ? 'Reconnecting…' : 'Connecting…',
        detail:
          status.attempt > 0 ? `Reaching the relay again (attempt ${status.attempt + 1}).` : 'Reaching the relay.',
      };
    case 'online':
      return { label: 'Online', detail: 'Clients with a token can reach the tools in this tab.' };
    case 'offline': {
      const seconds = Math.max(0, Math.ceil(((retryAt ?? now + status.retryInMs) - now) / 1000));
      return {
        label: 'Offline',
        detail: `Lost the relay (${status.reason}). Retrying in ${seconds} s.`,
      };
    }
    case 'replaced':
      return {
        label: 'Replaced',
        detail:
          'This host was opened in another tab, which now serves its clients. This tab stays quiet until you take the host back.',
      };
    case 'rejected':
      return { label: 'Rejected', detail: `The relay refused this tab: ${status.reason}.` };
    case 'not-admitted':
      return {
        label: 'Not admitted',
        detail: `This relay serves only hosts its operator admitted, and it did not admit this tab: ${status.reason}.`,
      };
  }
}

/** What to say about the relay's LLM gateway for this host, when there is something to say. */
export function llmAccessNote(status: ConnectionStatus): string | undefined {
  if (status.state !== 'online' || status.llmKey) return undefined;
  return 'LLM tools are not available on this relay for this host: its operator has not granted this host LLM access. The other tools work as usual.';
}
