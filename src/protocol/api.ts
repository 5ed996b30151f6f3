import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** A record set: one buffer as received, or several stored batches written back to back (Fetch). */
export type RecordSet = Buffer | Buffer[] | null;

/** How one Kafka API's messages are read and written, both directions. */
export interface ApiMessages<Req, Res> {
  readRequest(r: Reader, version: number): Req;
  writeRequest(w: Writer, version: number, m: Req): void;
  readResponse(r: Reader, version: number): Res;
  writeResponse(w: Writer, version: number, m: Res): void;
}

/** The generated codec of one Kafka API: its key, the versions we serve and both message directions. */
export interface ApiCodec<Req, Res> extends ApiMessages<Req, Res> {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible (KIP-482) version, or null when none we serve is flexible. */
  readonly flexibleFrom: number | null;
}

type ApiHeader = Pick<ApiCodec<unknown, unknown>, 'key' | 'name' | 'minVersion' | 'maxVersion' | 'flexibleFrom'>;

/**
 * A generated codec whose functions are made when one of them is first asked for: the ~540 functions of the 55 APIs
 * (their closures, shared infos and names) are not held by a broker that has not yet served the API.
 */
class LazyApiCodec<Req, Res> implements ApiCodec<Req, Res> {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flexibleFrom: number | null;
  #messages: ApiMessages<Req, Res> | undefined;
  readonly #make: () => ApiMessages<Req, Res>;

  constructor(header: ApiHeader, make: () => ApiMessages<Req, Res>) {
    ({ key: this.key, name: this.name, minVersion: this.minVersion, maxVersion: this.maxVersion, flexibleFrom: this.flexibleFrom } = header);
    this.#make = make;
  }

  get readRequest() { return (this.#messages ??= this.#make()).readRequest; }
  get writeRequest() { return (this.#messages ??= this.#make()).writeRequest; }
  get readResponse() { return (this.#messages ??= this.#make()).readResponse; }
  get writeResponse() { return (this.#messages ??= this.#make()).writeResponse; }
}

export function lazyApiCodec<Req, Res>(header: ApiHeader, make: () => ApiMessages<Req, Res>): ApiCodec<Req, Res> {
  return new LazyApiCodec(header, make);
}

export function isFlexible(api: { flexibleFrom: number | null }, version: number): boolean {
  return api.flexibleFrom !== null && version >= api.flexibleFrom;
}
