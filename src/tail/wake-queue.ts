// The files waiting for a turn: first come, first served, each at most once.
//
// A Set used as this queue (add at the end, delete from the front) rebuilt its hash table as
// entries left it, and a poll that wakes a thousand files kept each table alive through the
// poll round, long enough to be promoted to the old generation. Here membership is a flag on
// the file and the order is an array of slots reused from round to round.

export interface Wakeable {
  /** True while in a wake queue (set and cleared by the queue only). */
  waking: boolean;
}

export class WakeQueue<T extends Wakeable> {
  private slots: (T | undefined)[] = [];
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  /** Queues `x` unless it is queued already. */
  add(x: T): void {
    if (x.waking) return;
    x.waking = true;
    if (this.tail === this.slots.length) this.slots.push(x);
    else this.slots[this.tail] = x;
    this.tail++;
  }

  /** The longest-waiting item, or undefined when none waits. */
  take(): T | undefined {
    if (this.head === this.tail) return undefined;
    const x = this.slots[this.head];
    this.slots[this.head++] = undefined;
    if (this.head === this.tail) this.head = this.tail = 0;
    else if (this.head > 1024 && this.head * 2 > this.tail) this.compact();
    if (x) x.waking = false;
    return x;
  }

  /** Moves the waiting items to the front (a queue that never drains would grow forever). */
  private compact(): void {
    this.slots.copyWithin(0, this.head, this.tail);
    this.slots.fill(undefined, this.tail - this.head, this.tail);
    this.tail -= this.head;
    this.head = 0;
  }
}
