import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { MonitorchError } from '../errors.js';

/** File name of the lock a run directory holds while a writer has it open. */
export const LOCK_FILE = 'run.lock';

/** What a lock file says about its holder. */
interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/**
 * Lock paths held by this process. Two writers in one process share the pid, so the pid
 * alone cannot tell a live in-process holder from a stale lock left by an earlier process
 * that happened to have the same pid.
 */
const heldHere = new Set<string>();

/** A held run directory lock; {@link RunLock.release} frees it. */
export interface RunLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file. Safe to call twice. */
  release(): void;
}

/**
 * Takes the lock of a run directory: creates `run.lock` holding this process's pid and host.
 * The file appears with its content in one step (written aside, then hard-linked into place:
 * the link fails when a lock exists), so a reader never sees an empty lock. A lock whose
 * holder is gone (same host, pid not alive, or this very pid but not held here) is stale and
 * taken over; a lock from another host cannot be checked and counts as held.
 *
 * @param dir - the run directory (must exist)
 * @throws MonitorchError `RUN_DIR_LOCKED` when a live writer holds the directory.
 */
export function acquireRunLock(dir: string): RunLock {
  const path = resolve(join(dir, LOCK_FILE));
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const aside = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(aside, `${JSON.stringify(me)}\n`);
  try {
    // Two tries: the second after removing a stale lock (a racing writer may win it).
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(aside, path);
        heldHere.add(path);
        return { path, release: () => release(path) };
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
      }
      const holder = readHolder(path);
      if (holder !== undefined && isLive(path, holder)) throw locked(dir, path, holder);
      rmSync(path, { force: true });
    }
    throw locked(dir, path, readHolder(path));
  } finally {
    rmSync(aside, { force: true });
  }
}

function release(path: string): void {
  if (!heldHere.delete(path)) return;
  rmSync(path, { force: true });
}

/** The holder a lock file names, or undefined when it is unreadable (treated as stale). */
function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, started: String(parsed.started) };
  } catch {
    return undefined;
  }
}

/** Whether the holder may still be writing. */
function isLive(path: string, holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // cannot look at another machine's processes
  if (holder.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(holder.pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM'; // exists, owned by someone else
  }
}

function locked(dir: string, path: string, holder: LockHolder | undefined): MonitorchError {
  const who =
    holder === undefined
      ? 'another writer'
      : holder.pid === process.pid && holder.host === hostname()
        ? 'another Inspector or RunWriter in this process'
        : `process ${holder.pid} on ${holder.host} (since ${holder.started})`;
  return new MonitorchError(
    'RUN_DIR_LOCKED',
    `The run directory ${dir} is being written by ${who}; two writers would destroy each other's epochs. ` +
      'Give this run its own runDir, or close the other writer first. ' +
      `If that writer is gone (e.g. it ran on another machine), delete ${path}.`,
    { dir, lock: path, pid: holder?.pid, host: holder?.host },
  );
}

/**
 * Whether a live writer holds the run directory's lock now (a run still going), as far as
 * this machine can tell: a lock from another host counts as held.
 *
 * @param dir - run directory
 */
export function runLockHeld(dir: string): boolean {
  const path = resolve(join(dir, LOCK_FILE));
  const holder = readHolder(path);
  return holder !== undefined && isLive(path, holder);
}
