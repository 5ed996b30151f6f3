/**
 * Requires a package from node_modules (a native codec, a schema format's library, yaml) where it is first needed.
 * node:module is itself taken only then: loading it brings Node's ES module loader with it (~0.15 MiB of RSS at
 * start), which nothing else in a broker needs.
 */
let requireHere: NodeJS.Require | undefined;

export function requirePackage<T>(id: string): T {
  requireHere ??= process.getBuiltinModule('node:module').createRequire(import.meta.url);
  return requireHere(id) as T;
}
