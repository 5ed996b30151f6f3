import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** A record set: one buffer as received, or several stored batches written back to back (Fetch). */
export type RecordSet = Buffer | Buffer[] | null;

/** The generated codec of one Kafka API: its key, the versions we serve and both message directions. */
export interface ApiCodec<Req, Res> {
  key: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  /** First flexible (KIP-482) version, or null when none we serve is flexible. */
  flexibleFrom: number | null;
  readRequest(r: Reader, version: number): Req;
  writeRequest(w: Writer, version: number, m: Req): void;
  readResponse(r: Reader, version: number): Res;
  writeResponse(w: Writer, version: number, m: Res): void;
}

export function isFlexible(api: { flexibleFrom: number | null }, version: number): boolean {
  return api.flexibleFrom !== null && version >= api.flexibleFrom;
}
