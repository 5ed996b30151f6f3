/**
 * @platformatic/kafka declares Node >= 22.22 and uses Promise.withResolvers (Node 22+). This run is on Node 20, so
 * the one missing API is supplied here (imported before the client) to test the client's protocol use anyway.
 */
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};
export {};
