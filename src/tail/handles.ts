// The open-descriptor budget: at most maxOpenFiles handles stay open. A slot is claimed
// synchronously before each open (so concurrent opens cannot all slip under the cap); when the
// cap is reached the least recently used idle file is closed. The cap is soft: when every open
// file is busy, the open goes ahead.
import type { FileHandle } from 'node:fs/promises';

/** A file that may hold a handle, as the budget sees it. */
export interface HandleHolder {
  fh: FileHandle | null;
  readonly busy: boolean;
  readonly detached: boolean;
  readonly lastUsed: number;
}

export class HandleBudget {
  private open = 0;

  constructor(
    private readonly max: number,
    private readonly holders: () => Iterable<HandleHolder>,
  ) {}

  get count(): number {
    return this.open;
  }

  get overCap(): boolean {
    return this.open > this.max;
  }

  /** Claims a slot for an open about to happen; give it back with release() if the open fails. */
  reserve(): void {
    this.trim(this.max - 1);
    this.open++;
  }

  release(): void {
    this.open--;
  }

  /** Closes least recently used idle handles until at most `limit` are open. */
  trim(limit = this.max): void {
    while (this.open > limit) {
      let lru: HandleHolder | null = null;
      for (const h of this.holders()) {
        if (!h.fh || h.busy || h.detached) continue;
        if (!lru || h.lastUsed < lru.lastUsed) lru = h;
      }
      if (!lru) return;
      void this.close(lru);
    }
  }

  /** Closes the holder's handle (if any) and frees its slot. */
  async close(h: HandleHolder): Promise<void> {
    const fh = h.fh;
    if (!fh) return;
    h.fh = null;
    this.open--;
    await fh.close().catch(() => undefined);
  }
}
