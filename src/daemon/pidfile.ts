// Synchronous system calls: a start claims its pidfile once, and node:fs/promises (a module to
// load, a thread-pool round trip per call) costs more than the dozen calls it makes.
import {chmodSync, closeSync, constants as fsConstants, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {ensureDirSync, goPathError, rollbackDirs} from './dirs.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export interface Pidfile {
  path: string
  /** Delete the file if it still holds our pid, then the directories we created. Idempotent. */
  remove(): void
  /** Same as remove(), under the name every other daemon handle uses. */
  cleanup(): void
}

/** Signal 0 probes existence; EPERM means it exists but belongs to someone else. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** pkg/pidfile.Read: trimmed decimal; anything else (garbage, empty, 0, negative) reads as 0. */
export function parsePid(content: string): number {
  const s = content.trim()
  if (!/^\d+$/.test(s)) return 0
  const pid = Number(s)
  return Number.isSafeInteger(pid) ? pid : 0
}

/** Reads a pidfile without following a symlink in its last component. */
function readNoFollow(path: string): string {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK)
  try {
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}

/** readNoFollow's pid, 0 when it cannot be read. */
function pidIn(path: string): number {
  try {
    return parsePid(readNoFollow(path))
  } catch {
    return 0
  }
}

function symlinkError(path: string): Error {
  return new Error(`pid file ${path} is a symbolic link: refusing to follow it (remove it, or give --pidfile a regular path)`)
}

/** lstat that answers undefined for a missing file. */
function lstatOrNone(path: string) {
  try {
    return lstatSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw error
  }
}

/** lstatOrNone that also answers undefined for any other error. */
function lstatQuiet(path: string) {
  try {
    return lstatOrNone(path)
  } catch {
    return undefined
  }
}

/** rmdir or unlink whose failure is of no consequence (already gone, or left behind). */
function quietly(op: (path: string) => void, path: string): void {
  try {
    op(path)
  } catch {}
}

/**
 * Write `process.pid` to `path` (§6.7): a live pid in an existing file refuses the start and
 * leaves the file untouched; stale content is replaced. Unlike dockerd, the claim is atomic (the
 * pid is written to a private file that is renamed into place under a lock), so of daemons
 * started at once with one pidfile exactly one wins; and a symlink in
 * the last component is refused, never written through. Errors read like dockerd 20.10's; the
 * caller prefixes `failed to start daemon: `.
 */
export async function createPidfile(path: string): Promise<Pidfile> {
  const live = () => new Error(`pid file found, ensure docker is not running or delete ${path}`)
  if (lstatQuiet(path)?.isSymbolicLink()) throw symlinkError(path)
  const pid = pidIn(path)
  if (pid > 0 && processAlive(pid)) throw live()

  // Parent created 0755 like current moby (1.12 did not); remembered for rollback.
  const createdDirs = ensureDirSync(dirname(path), 0o755)
  const ours = String(process.pid)
  // Not a secret (O_EXCL refuses a name that exists): no node:crypto on the start path for it.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(16).slice(2, 10)}`)
  try {
    const fd = openSync(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o644)
    try {
      writeFileSync(fd, ours)
    } finally {
      closeSync(fd)
    }

    // dockerd's files are 0644 whatever the umask.
    chmodSync(tmp, 0o644)
    await claim(path, tmp, live)
  } catch (error) {
    rollbackDirs(createdDirs)
    const e = error as NodeJS.ErrnoException
    if (e.code === undefined) throw error
    throw new Error(goPathError(e.syscall === 'chmod' ? 'chmod' : 'open', path, error))
  } finally {
    quietly(unlinkSync, tmp)
  }

  let removed = false
  const remove = (): void => {
    if (removed) return
    removed = true
    try {
      // Only our own pid: a successor daemon may have legitimately taken the file over.
      if (readFileSync(path, 'utf8').trim() === ours) unlinkSync(path)
    } catch {
      // Already gone (or unreadable): nothing of ours to remove.
    }

    rollbackDirs(createdDirs)
  }

  return {path, remove, cleanup: remove}
}

/**
 * Puts `tmp` in place as `path` unless a live daemon holds it. The check and the replacement run
 * under a lock (a `<path>.lock` directory: mkdir is atomic), so of several daemons started at
 * once exactly one sees no live pid; the others then see the winner's. A lock left by a daemon
 * killed in the middle of this (milliseconds) is taken over after LOCK_STALE_MS.
 */
async function claim(path: string, tmp: string, live: () => Error): Promise<void> {
  const lock = `${path}.lock`
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      mkdirSync(lock, {mode: 0o700})
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const st = lstatOrNone(lock)
      if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) quietly(rmdirSync, lock)
      else if (Date.now() > deadline) throw new Error(`pid file ${path} is being claimed by another process: remove ${lock} if none is starting`)
      else await sleep(5 + Math.random() * 10)
    }
  }

  try {
    const st = lstatOrNone(path)
    if (st?.isSymbolicLink()) throw symlinkError(path)
    if (st?.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR', syscall: 'open'})
    if (st) {
      const pid = pidIn(path)
      if (pid > 0 && processAlive(pid)) throw live()
    }

    // Atomic: a reader sees the old file or ours, never an empty one.
    renameSync(tmp, path)
  } finally {
    quietly(rmdirSync, lock)
  }
}

const LOCK_WAIT_MS = 5000
const LOCK_STALE_MS = 10_000
