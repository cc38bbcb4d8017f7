/**
 * Repeated denied calls, so a client that hammers a tool it may not call cannot flood the audit
 * log: in each window, the first few denied calls of one tool by one client are logged one by
 * one, and the rest are folded into one summary entry (how many, between when and when, and why
 * the first was refused), written when the window ends or when someone reads the log.
 */
import type { AuditCall, AuditRecord } from './auditChain.ts';

export interface DeniedCallsOptions {
  windowMs: number;
  /** Denied calls of one tool by one client logged one by one in each window. */
  loggedPerWindow: number;
  now: () => number;
  /** Appends a summary entry. */
  write: (record: AuditRecord) => void;
}

interface DeniedWindow {
  startedAt: number;
  logged: number;
  /** Calls counted but not logged yet: the first of them, and the span. */
  folded?: { first: AuditCall; count: number; lastAt: number };
}

export class DeniedCalls {
  private readonly windows = new Map<string, DeniedWindow>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: DeniedCallsOptions) {}

  /** Whether this denied call gets its own entry; if not, it is counted for its window's summary. */
  logs(call: AuditCall): boolean {
    const key = `${call.clientId}\u0000${call.tool}`;
    const now = this.options.now();
    let window = this.windows.get(key);
    if (window && now - window.startedAt >= this.options.windowMs) {
      this.writeSummary(window);
      window = undefined;
    }
    if (!window) {
      this.windows.set(key, { startedAt: now, logged: 1 });
      return true;
    }
    if (window.logged < this.options.loggedPerWindow) {
      window.logged++;
      return true;
    }
    if (window.folded) {
      window.folded.count++;
      window.folded.lastAt = call.at;
    } else window.folded = { first: call, count: 1, lastAt: call.at };
    this.timer ??= this.summariseLater();
    return false;
  }

  /** Writes the summaries of windows that ended (or of every window, when someone reads the log now). */
  summarise(all: boolean): void {
    const now = this.options.now();
    for (const [key, window] of this.windows) {
      const ended = now - window.startedAt >= this.options.windowMs;
      if (ended || all) this.writeSummary(window);
      if (ended) this.windows.delete(key);
    }
    if (this.windows.size > 0 && !this.timer) this.timer = this.summariseLater();
  }

  private summariseLater(): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timer = undefined;
      this.summarise(false);
    }, this.options.windowMs);
    // In Node, a pending summary must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
    return timer;
  }

  private writeSummary(window: DeniedWindow): void {
    const folded = window.folded;
    if (!folded) return;
    window.folded = undefined;
    const { first, count, lastAt } = folded;
    const { arguments: _arguments, ...call } = first;
    const span = `between ${new Date(first.at).toISOString()} and ${new Date(lastAt).toISOString()}`;
    this.options.write({
      ...call,
      durationMs: 0,
      detail: `${count} more denied call${count === 1 ? '' : 's'} of ${first.tool} by '${first.client}' ${span}, summarised in this entry. The first was refused with: ${first.detail ?? 'no reason given'}`,
      repeat: { count, firstAt: first.at, lastAt },
    });
  }
}
