/**
 * The bytes the relay keeps on behalf of hosts (today: the events kept for `Last-Event-ID`
 * resumption), bounded per host (`VIAL_HOST_MEMORY_BYTES`) and in total
 * (`VIAL_MEMORY_LIMIT_BYTES`). What is kept is a cache of what clients may come back for, so a
 * charge that would pass a bound makes room instead of failing: first from the same host's
 * oldest bytes, then, for the total, from the host that holds the most. One host can therefore
 * push out its own history but never more than its share of anyone else's, and no sequence of
 * frames can grow the relay past the total.
 */

/** Something that holds charged bytes and can give up its oldest. */
export interface MemoryHolder {
  /** When its oldest held item was charged (`performance.now()`), or undefined when it holds nothing. */
  oldestAt(): number | undefined;
  /** Drops its oldest item and releases it through its account. */
  evictOldest(): void;
}

export interface HostMemory {
  /** Makes room for `bytes` and counts them; false (nothing counted) when `bytes` alone is over the host's share. */
  charge(holder: MemoryHolder, bytes: number): boolean;
  release(bytes: number): void;
  /** The holder is gone: what it still held must have been released. */
  forget(holder: MemoryHolder): void;
}

export interface MemoryBudget {
  forHost(hostId: string): HostMemory;
  /** Bytes held now, over all hosts. */
  readonly totalBytes: number;
  hostBytes(hostId: string): number;
}

interface HostLedger {
  bytes: number;
  holders: Set<MemoryHolder>;
}

export function createMemoryBudget(limits: { hostBytes: number; totalBytes: number }): MemoryBudget {
  const hosts = new Map<string, HostLedger>();
  let total = 0;

  /** Evicts the oldest item among one host's holders; false when the host holds nothing. */
  function evictOldestOf(ledger: HostLedger): boolean {
    let oldest: MemoryHolder | undefined;
    let oldestAt = Infinity;
    for (const holder of ledger.holders) {
      const at = holder.oldestAt();
      if (at !== undefined && at < oldestAt) [oldest, oldestAt] = [holder, at];
    }
    if (!oldest) return false;
    oldest.evictOldest();
    return true;
  }

  function largestHost(): HostLedger | undefined {
    let largest: HostLedger | undefined;
    for (const ledger of hosts.values()) if (ledger.bytes > (largest?.bytes ?? 0)) largest = ledger;
    return largest;
  }

  function ledgerOf(hostId: string): HostLedger {
    let ledger = hosts.get(hostId);
    if (!ledger) {
      ledger = { bytes: 0, holders: new Set() };
      hosts.set(hostId, ledger);
    }
    return ledger;
  }

  return {
    forHost(hostId) {
      const release = (bytes: number) => {
        const ledger = ledgerOf(hostId);
        ledger.bytes -= bytes;
        total -= bytes;
        if (ledger.bytes <= 0 && ledger.holders.size === 0) hosts.delete(hostId);
      };
      return {
        charge(holder, bytes) {
          if (bytes > limits.hostBytes || bytes > limits.totalBytes) return false;
          const ledger = ledgerOf(hostId);
          ledger.holders.add(holder);
          while (ledger.bytes + bytes > limits.hostBytes && evictOldestOf(ledger));
          while (total + bytes > limits.totalBytes) {
            const largest = largestHost();
            if (!largest || !evictOldestOf(largest)) break;
          }
          if (ledger.bytes + bytes > limits.hostBytes || total + bytes > limits.totalBytes) return false;
          ledger.bytes += bytes;
          total += bytes;
          return true;
        },
        release,
        forget(holder) {
          const ledger = hosts.get(hostId);
          if (!ledger) return;
          ledger.holders.delete(holder);
          if (ledger.bytes <= 0 && ledger.holders.size === 0) hosts.delete(hostId);
        },
      };
    },
    get totalBytes() {
      return total;
    },
    hostBytes: (hostId) => hosts.get(hostId)?.bytes ?? 0,
  };
}
