/** Wraps a command's action: builds its Session from the command's options and closes its connections afterwards. */
import type { Command } from 'commander';
import { Session, type CommonOptions } from '../session.js';

/** Commander calls an action with the positional arguments, then the options, then the command itself. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each action types its own arguments
export function act(fn: (session: Session, ...args: any[]) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const command = args[args.length - 1] as Command;
    const session = new Session(command.opts() as CommonOptions);
    try {
      await fn(session, ...args.slice(0, -1));
    } finally {
      session.close();
    }
  };
}
