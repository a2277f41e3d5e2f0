import {readFileSync, unlinkSync} from 'node:fs'
import {chmod, readFile, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {ensureDir, goPathError, rollbackDirs} from './dirs.js'

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

/**
 * Write `process.pid` to `path` (§6.7): a live pid in an existing file refuses the start and
 * leaves the file untouched; stale content is overwritten. Errors read like dockerd 20.10's; the
 * caller prefixes `failed to start daemon: `.
 */
export async function createPidfile(path: string): Promise<Pidfile> {
  let existing: string | undefined
  try {
    existing = await readFile(path, 'utf8')
  } catch {
    // Missing file or parent is the normal case; other read errors (EISDIR, EACCES) surface,
    // named, when we write.
  }

  if (existing !== undefined) {
    const pid = parsePid(existing)
    if (pid > 0 && processAlive(pid)) {
      throw new Error(`pid file found, ensure docker is not running or delete ${path}`)
    }
  }

  // Parent created 0755 like current moby (1.12 did not); remembered for rollback.
  const createdDirs = await ensureDir(dirname(path), 0o755)
  const ours = String(process.pid)
  try {
    await writeFile(path, ours, {mode: 0o644})
    // An overwritten stale file keeps its old mode; dockerd's files are 0644.
    await chmod(path, 0o644)
  } catch (error) {
    rollbackDirs(createdDirs)
    const op = (error as NodeJS.ErrnoException).syscall === 'chmod' ? 'chmod' : 'open'
    throw new Error(goPathError(op, path, error))
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
