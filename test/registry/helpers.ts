/** Helpers for the registry tests: a registry on a free port over an in-memory log, and a small JSON HTTP client. */
import { MemoryKeyValueLog, type KeyValueLog } from '../../src/log/key-value-log.js';
import { startRegistry, type RunningRegistry } from '../../src/registry/server.js';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function startTestRegistry(store: KeyValueLog = new MemoryKeyValueLog(), maxBodyBytes?: number): Promise<RunningRegistry> {
  return startRegistry({ host: '127.0.0.1', port: 0, store, maxBodyBytes });
}

export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  contentType: string | null;
}

export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;

/** `body` is sent as JSON unless it is a string (sent as is). */
export function client(url: string): Call {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: { 'Content-Type': CONTENT_TYPE, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // raw text (the /schema endpoints)
    }
    return { status: res.status, body: parsed, contentType: res.headers.get('content-type') };
  };
}

export const avroRecord = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'record', name, fields, ...extra });
