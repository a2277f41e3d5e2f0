import {chmodSync, mkdirSync, rmdirSync, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

/** Go's syscall.Errno texts, so OS errors read like dockerd's (`open /x: permission denied`). */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EAFNOSUPPORT: 'address family not supported by protocol',
  EBADF: 'bad file descriptor',
  EBUSY: 'device or resource busy',
  ECONNREFUSED: 'connection refused',
  EEXIST: 'file exists',
  EINVAL: 'invalid argument',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
  ENOTSOCK: 'socket operation on non-socket',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
}

/** The Go errno text for a Node system error, else its own message. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  if (e && typeof e.code === 'string' && Object.hasOwn(ERRNO_TEXT, e.code)) return ERRNO_TEXT[e.code]!
  return e instanceof Error ? e.message : String(err)
}

/** Go's *os.PathError text: `<op> <path>: <errno text>`. */
export function goPathError(op: string, path: string, err: unknown): string {
  return `${op} ${path}: ${errnoText(err)}`
}

/** The missing ancestors of `dir`, outermost first (stops at the first existing one). */
function missingChain(dir: string, exists: (p: string) => boolean): string[] {
  const chain: string[] = []
  let cur = resolve(dir)
  while (!exists(cur)) {
    chain.unshift(cur)
    const parent = dirname(cur)
    if (parent === cur) break
    cur = parent
  }

  return chain
}

function pathExists(p: string): boolean {
  try {
    statSync(p)
    return true
  } catch {
    return false
  }
}

/** ensureDirSync for callers in a promise chain. */
export async function ensureDir(path: string, mode: number): Promise<string[]> {
  return ensureDirSync(path, mode)
}

function notADirectory(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error('not a directory'), {code: 'ENOTDIR', path})
}

/**
 * MkdirAll that reports what it created, so a failed start can remove exactly that.
 * Each created directory gets `mode` explicitly (umask-proof, as dockerd runs with umask 0).
 * Synchronous: a start makes a handful of these calls, once, and node:fs/promises (a module to
 * load, a thread-pool round trip per call) costs more than they do.
 */
export function ensureDirSync(path: string, mode: number): string[] {
  const created: string[] = []
  try {
    for (const dir of missingChain(path, pathExists)) {
      try {
        mkdirSync(dir, {mode})
        created.push(dir)
        chmodSync(dir, mode)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
    }

    if (!statSync(path).isDirectory()) throw notADirectory(path)
    return created
  } catch (error) {
    rollbackDirs(created)
    const p = (error as NodeJS.ErrnoException).path ?? path
    throw new Error(goPathError('mkdir', p, error))
  }
}

/**
 * The daemon's own roots (data-root 0710, exec-root 0700), all or nothing: each is created with
 * its mode, or, when it exists, tightened to it (bits beyond `mode` removed, as dockerd does for
 * an existing data-root left 0777). If any fails, the directories created before it are removed.
 */
export function ensureRootsSync(roots: ReadonlyArray<readonly [path: string, mode: number]>): string[] {
  const created: string[] = []
  try {
    for (const [path, mode] of roots) {
      const made = ensureDirSync(path, mode)
      created.push(...made)
      if (made.length > 0) continue
      const current = statSync(path).mode & 0o7777
      if ((current & ~mode) === 0) continue
      try {
        chmodSync(path, current & mode)
      } catch (error) {
        throw new Error(goPathError('chmod', path, error))
      }
    }
  } catch (error) {
    rollbackDirs(created)
    throw error
  }

  return created
}

/**
 * Remove directories ensureDir created, innermost first, only while they are empty:
 * anything someone else put there since is kept. Never throws; safe to call twice.
 */
export function rollbackDirs(created: readonly string[]): void {
  for (let i = created.length - 1; i >= 0; i--) {
    try {
      rmdirSync(created[i]!)
    } catch {
      // ENOTEMPTY / ENOENT: not ours to delete any more.
    }
  }
}
