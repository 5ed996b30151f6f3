/**
 * One broker per data directory. Two brokers appending to the same segment files interleave and lose writes, so
 * the first one to start writes its pid to `<data-dir>/.lock` (created exclusively) and every other start refuses.
 * A lock whose process is gone (kill -9, power loss) is stale and taken over. So is one whose pid now names another
 * process (after a reboot or in a new container, pids are handed out again): the lock also holds its process's start
 * time, which the pid's process must have. Within one process (brokers embedded
 * in a test suite) the held directories are tracked here too, since the pid alone cannot tell them apart.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nameErrorClasses } from '../error-names.js';

export class DataDirLockedError extends Error {
  readonly code = 'SAMSA_DATA_DIR_LOCKED';
}

const heldHere = new Set<string>();

export interface DataDirLock {
  release(): void;
}

/** A process's start time (clock ticks after boot: /proc/<pid>/stat's 22nd field), or null where there is no /proc. */
function startTimeOf(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the lock's holder still runs: its pid is alive and, when both are known, started when the lock says. */
function holderAlive(pid: number, startTime: string | undefined): boolean {
  if (!processAlive(pid)) return false;
  const now = startTime ? startTimeOf(pid) : null;
  return now === null || now === startTime;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/**
 * Creates the absolute directory `dir` and its missing parents, one at a time: the errors then name the directory that
 * could not be made (EACCES, ENOTDIR, EROFS), and a path under /proc fails at once (Node 20's recursive mkdirSync loops
 * forever there). A `dir` that exists as a file fails with ENOTDIR.
 */
export function makeDataDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // made meanwhile by another process
    }
  }
  if (!statSync(dir).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, '${dir}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: dir });
  }
}

/** Takes `dir`'s lock or throws DataDirLockedError naming the holder. `dir` must exist and be absolute. */
export function lockDataDir(dir: string): DataDirLock {
  const path = join(dir, '.lock');
  if (heldHere.has(dir)) throw new DataDirLockedError(`data directory ${dir} is in use by another broker in this process`);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid} ${startTimeOf('self') ?? ''}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    let holder = NaN;
    let startTime: string | undefined;
    try {
      const [pid, started] = readFileSync(path, 'utf8').trim().split(/\s+/);
      holder = Number.parseInt(pid ?? '', 10);
      startTime = started || undefined;
    } catch { /* vanished or unreadable: stale */ }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && holderAlive(holder, startTime)) {
      throw new DataDirLockedError(`data directory ${dir} is in use by another Samsa process (pid ${holder}); stop it or choose another data directory`);
    }
    try { unlinkSync(path); } catch { /* already gone */ }
  }
  heldHere.add(dir);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      heldHere.delete(dir);
      try { unlinkSync(path); } catch { /* already gone */ }
    },
  };
}

nameErrorClasses({ DataDirLockedError });
