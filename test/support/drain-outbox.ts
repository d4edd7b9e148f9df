import type { OutboxStore, OutboxItem } from '../../src/core/ports.js';

/**
 * Everything queued so far, claimed and marked sent, oldest first. A claim hands out one item
 * per recipient at a time (the rest wait behind it), so this claims until nothing is left.
 */
export async function drainOutbox(store: OutboxStore, now: number = Date.now() + 60_000): Promise<OutboxItem[]> {
  const all: OutboxItem[] = [];
  for (;;) {
    const claimed = await store.claimOutbox(now, 60_000, 100);
    if (claimed.length === 0) return all.sort((a, b) => a.id - b.id);
    for (const item of claimed) await store.markOutboxSent(item.id, `SM${item.id}`, now);
    all.push(...claimed);
  }
}
