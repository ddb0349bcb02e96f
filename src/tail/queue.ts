// The record stream between readers and the consumer. Bounded: readers await room once
// `highWaterMark` records are queued, so a slow consumer pauses reading instead of growing
// memory. Commit rule: a record counts as finished when the consumer asks for the next one
// (or ends the iteration); only then does its file's committed offset move past it.
import type { TailRecord } from './types.js';

/** Whoever produced a record and wants to hear when it is finished. */
export interface CommitTarget {
  commit(generation: number, end: number): void;
}

interface Item {
  rec: TailRecord;
  owner: CommitTarget;
  generation: number;
  end: number;
}

export class RecordQueue implements AsyncIterable<TailRecord> {
  private items: Item[] = [];
  private head = 0;
  private held: Item | null = null;
  private closed = false;
  private consumerWaiting: ((r: IteratorResult<TailRecord>) => void) | null = null;
  private roomWaiters: (() => void)[] = [];
  private heldWaiters: (() => void)[] = [];
  private iterating = false;

  constructor(private readonly highWaterMark: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True while the consumer holds a record it has not finished. */
  get holding(): boolean {
    return this.held !== null;
  }

  hasRoom(): boolean {
    return this.size < this.highWaterMark;
  }

  /** Resolves once the queue has drained to half the high-water mark (or is closed). */
  waitForRoom(): Promise<void> {
    if (this.closed || this.size <= this.highWaterMark / 2) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  push(rec: TailRecord, owner: CommitTarget, generation: number, end: number): void {
    if (this.closed) return;
    const item: Item = { rec, owner, generation, end };
    const waiting = this.consumerWaiting;
    if (waiting && this.size === 0) {
      this.consumerWaiting = null;
      this.held = item;
      waiting({ value: rec, done: false });
      return;
    }
    this.items.push(item);
  }

  /** Ends the stream: queued records are dropped unfinished (they will be read again after a restart). */
  close(): void {
    this.closed = true;
    this.items = [];
    this.head = 0;
    this.wakeRoom();
    const waiting = this.consumerWaiting;
    this.consumerWaiting = null;
    waiting?.({ value: undefined, done: true });
  }

  /** Resolves when the consumer has finished the record it holds, or after `timeoutMs`. */
  async waitUntilReleased(timeoutMs: number): Promise<boolean> {
    if (!this.held) return true;
    let timer: NodeJS.Timeout | undefined;
    const released = await Promise.race([
      new Promise<boolean>((resolve) => this.heldWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return released;
  }

  private release(): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    held.owner.commit(held.generation, held.end);
    const waiters = this.heldWaiters;
    this.heldWaiters = [];
    for (const w of waiters) w();
  }

  private wakeRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  private take(): Item | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head] = undefined as unknown as Item;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.roomWaiters.length > 0 && this.size <= this.highWaterMark / 2) this.wakeRoom();
    return item;
  }

  next(): Promise<IteratorResult<TailRecord>> {
    this.release();
    const item = this.take();
    if (item) {
      this.held = item;
      return Promise.resolve({ value: item.rec, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.consumerWaiting = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<TailRecord> {
    if (this.iterating) throw new Error('the tail record stream has one consumer; it is already being read');
    this.iterating = true;
    return {
      next: () => this.next(),
      return: () => {
        this.release();
        this.iterating = false;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
