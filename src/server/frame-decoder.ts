/**
 * Splits a TCP byte stream into Kafka frames (int32 size + body). The size is checked against the maximum request
 * size before anything is allocated, so a hostile or broken length prefix costs nothing. Frames that arrive within
 * one chunk are returned as views; only frames split across chunks are copied together.
 */
import { nameErrorClasses } from '../error-names.js';

export class FrameError extends Error {
  readonly code = 'SAMSA_FRAME_ERROR';
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being assembled, or -1 while its length prefix is still incomplete. */
  private need = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds a chunk; returns the frames it completed. Throws FrameError on an invalid length prefix. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) break;
        const size = this.take(4).readInt32BE(0);
        if (size < 0) throw new FrameError(`negative frame size ${size}`);
        if (size > this.maxFrameBytes) {
          throw new FrameError(`request of ${size} bytes exceeds socket.request.max.bytes (${this.maxFrameBytes})`);
        }
        this.need = size;
      }
      if (this.buffered < this.need) break;
      frames.push(this.take(this.need));
      this.need = -1;
    }
    return frames;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0); // an empty frame; the chunk list may be empty too
    this.buffered -= n;
    const first = this.chunks[0];
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const part = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, part);
      filled += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}

nameErrorClasses({ FrameError });
