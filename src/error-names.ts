/**
 * Gives error classes their source names on their prototypes (`err.name`, pino's `err.type`, the first line of a
 * stack trace): the CLI bundle's class names are minified, and a subclass of Error is otherwise named "Error".
 * Called with object shorthand, `nameErrorClasses({ ConfigError })`, whose keys minification leaves alone.
 */
export function nameErrorClasses(classes: Record<string, abstract new (...args: never[]) => Error>): void {
  for (const [name, errorClass] of Object.entries(classes)) {
    Object.defineProperty(errorClass.prototype, 'name', { value: name, writable: true, configurable: true });
  }
}
