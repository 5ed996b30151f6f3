/**
 * Reusable read space for Fetch responses. Stored batches go from the file straight into pooled 1 MiB slabs and
 * from there to the socket as a list of slices (no concatenation): a fresh buffer per read would cost its page
 * faults and zeroing on every read, more than the copy itself. A response reads into one ReadArena, packing all its
 * partitions into as few slabs as it needs; the slabs return to the pool only once the socket has taken the
 * response's bytes (the connection calls `release` from the write's callback), so a slab is never overwritten while
 * queued. A missed release costs nothing but an allocation: the pool keeps no list of lent slabs.
 */

export const SLAB_SIZE = 1 << 20;
/** Idle slabs kept for reuse; beyond this they are left to the garbage collector. */
const MAX_IDLE_SLABS = 64;

export class ReadPool {
  private readonly idle: Buffer[] = [];
  /** Slabs allocated (not reused), for tests and measurements. */
  allocated = 0;
  private takenSinceTrim = 0;

  /** Idle slabs kept now. */
  get size(): number {
    return this.idle.length;
  }

  /** Lets go of the idle slabs when none was taken since the last call (the log manager's tick): an idle broker holds none. */
  trim(): void {
    if (this.takenSinceTrim === 0) this.idle.length = 0;
    this.takenSinceTrim = 0;
  }

  take(): Buffer {
    this.takenSinceTrim++;
    const slab = this.idle.pop();
    if (slab) return slab;
    this.allocated++;
    return Buffer.allocUnsafeSlow(SLAB_SIZE);
  }

  give(slab: Buffer): void {
    if (this.idle.length < MAX_IDLE_SLABS) this.idle.push(slab);
  }
}

/** The read space of one response: bytes reserved back to back over slabs taken from the pool as needed. */
export class ReadArena {
  private readonly slabs: Buffer[] = [];
  private used = 0;

  constructor(private readonly pool: ReadPool) {}

  /** Space for `n` more bytes: slices of the arena's slabs, in order. */
  reserve(n: number): Buffer[] {
    const spans: Buffer[] = [];
    let at = this.used;
    this.used += n;
    while (this.slabs.length * SLAB_SIZE < this.used) this.slabs.push(this.pool.take());
    while (at < this.used) {
      const slab = this.slabs[Math.floor(at / SLAB_SIZE)];
      const from = at % SLAB_SIZE;
      const to = Math.min(SLAB_SIZE, from + (this.used - at));
      spans.push(slab.subarray(from, to));
      at += to - from;
    }
    return spans;
  }

  /** Gives back the last `n` bytes reserved (what a read did not fill, or a partial batch cut off). */
  unreserve(n: number): void {
    this.used -= n;
    while ((this.slabs.length - 1) * SLAB_SIZE >= this.used && this.slabs.length > 0) this.pool.give(this.slabs.pop()!);
  }

  /** Returns every slab to the pool: the bytes handed out must no longer be in use. Idempotent. */
  release(): void {
    for (const slab of this.slabs) this.pool.give(slab);
    this.slabs.length = 0;
    this.used = 0;
  }
}

/** The first `n` bytes of `spans` (slices, no copy). */
export function firstBytes(spans: readonly Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const s of spans) {
    if (n <= 0) break;
    out.push(s.length <= n ? s : s.subarray(0, n));
    n -= s.length;
  }
  return out;
}

/** Copies `into.length` bytes found at logical position `at` of `spans` (a header straddling two slabs). */
export function copyAt(spans: readonly Buffer[], at: number, into: Buffer): number {
  let copied = 0;
  for (const s of spans) {
    if (copied === into.length) break;
    if (at >= s.length) {
      at -= s.length;
      continue;
    }
    copied += s.copy(into, copied, at, Math.min(s.length, at + into.length - copied));
    at = 0;
  }
  return copied;
}
