/**
 * Commit times of events handed to a connection and not yet written, oldest first. Feeds
 * the commit-to-send histogram and the "oldest unsent event" alarm; O(1) at both ends even
 * when a slow client has thousands queued.
 */
export class PendingSends {
  private items: number[] = [];
  private head = 0;

  push(committedAt: number): void {
    this.items.push(committedAt);
  }

  /** Removes and returns the oldest entry (writes complete in the order they were queued). */
  shift(): number | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  oldest(): number | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  get size(): number {
    return this.items.length - this.head;
  }
}
