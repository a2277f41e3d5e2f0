// unix:// listeners (§6.4): a socket file with group and mode 0660, or an abstract socket.
import {connect} from 'node:net'
// Synchronous fs calls: a handful, once per start; node:fs/promises would cost more to load.
import {chmodSync, chownSync, lstatSync, unlinkSync} from 'node:fs'
import {dirname} from 'node:path'

import type {Platform} from '../../platform/types.js'
import {ensureDir, errnoText, goPathError} from '../dirs.js'
import {lookupGroupId} from './groups.js'
import type {Opened} from './opened.js'
import {listen, newServer} from './server.js'
import type {Listener, ListenerOptions} from './types.js'

const DEFAULT_SOCKET_GROUP = 'docker'

/** Connects to an existing socket file: refused means stale; anything else may be a live daemon. */
function socketAnswers(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path)
    let settled = false
    const done = (alive: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      sock.destroy()
      resolve(alive)
    }

    const timer = setTimeout(() => done(true), timeoutMs)
    sock.once('connect', () => done(true))
    // `on`, not `once`: a late second error must not become an uncaught exception.
    sock.on('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'))
  })
}

export async function openUnix(host: string, path: string, opts: ListenerOptions, opened: Opened, platform: Platform): Promise<Listener> {
  const fail = (msg: string): Error => new Error(`can't create unix socket ${path}: ${msg}`)
  const inUse = (): Error => fail(`listen unix ${path}: bind: address already in use`)
  // Node would silently bind a truncated path (elsewhere, and never cleaned up): refuse first.
  const room = platform.unixPathMax
  const bytes = Buffer.byteLength(path) + (path.startsWith('@') ? 0 : 1)
  if (bytes > room) {
    throw fail(`path is ${Buffer.byteLength(path)} bytes long, over the limit of ${room - 1} bytes for a unix socket path (sun_path is ${room} bytes)`)
  }

  const server = newServer(undefined, opts)

  if (path.startsWith('@')) {
    // Abstract namespace: no file, so no group, mode, stale file or directory.
    opened.addServer(server)
    await listen(server, `\0${path.slice(1)}`).catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? inUse()
        : fail(`listen unix ${path}: bind: ${errnoText(error)}`)
    })
    return {host, addr: path, server}
  }

  // Group first, as dockerd does, so a bad --group leaves nothing behind.
  let gid: number | undefined
  const group = opts.socketGroup
  // Only root may give the socket to any group: an unprivileged daemon keeps its own group unless
  // --group (or "group") asks for one, and then a refused chown is an error naming it.
  const root = (opts.euid ?? process.geteuid?.() ?? 0) === 0
  if (group !== '' && !root && !opts.socketGroupExplicit) opts.log.debug(`not changing group of ${path} to ${group}: not running as root and --group not given`)
  else if (group !== '') {
    // NSS (getent) only for a group the user named: spawning it for the implicit default would
    // cost every start a process.
    gid = await lookupGroupId(group, {groupFile: opts.groupFile, useGetent: opts.useGetent ?? opts.socketGroupExplicit})
    if (gid === undefined) {
      // dockerd tolerates only its own default group missing (fresh hosts have no docker group).
      if (opts.socketGroupExplicit && group !== DEFAULT_SOCKET_GROUP) throw new Error(`group ${group} not found`)
      opts.log.warn(`could not change group ${path} to ${group}: group ${group} not found`)
    }
  }

  // dockerd unlinks whatever is there; we only replace a socket nobody answers on, so a second
  // daemon cannot silently steal a running one's socket (or delete a user's regular file).
  let st
  try {
    st = lstatSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fail(goPathError('lstat', path, error))
  }

  if (st) {
    if (!st.isSocket() || (await socketAnswers(path, opts.staleProbeTimeoutMs ?? 1000))) throw inUse()
    try {
      unlinkSync(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fail(goPathError('remove', path, error))
    }
  }

  try {
    opened.addDirs(await ensureDir(dirname(path), 0o755))
  } catch (error) {
    throw fail((error as Error).message)
  }

  // Bind with umask 0777 so the socket is born 0000 and is never connectable with looser
  // permissions than 0660; Node binds synchronously inside listen(), so the bracket is exact.
  let oldMask: number | undefined
  opened.addServer(server)
  await listen(
    server,
    path,
    () => {
      try {
        oldMask = process.umask(0o777)
      } catch {
        // Worker threads cannot change the umask: then rely on the chmod below.
      }
    },
    () => {
      if (oldMask !== undefined) process.umask(oldMask)
    },
  ).catch((error: unknown) => {
    throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? inUse()
      : fail(`listen unix ${path}: bind: ${errnoText(error)}`)
  })
  opened.addSocketFile(path)

  try {
    // Owner stays ours (root → uid 0, as dockerd's chown(0, gid)); group only when resolved.
    if (gid !== undefined) {
      try {
        chownSync(path, process.geteuid?.() ?? -1, gid)
      } catch (error) {
        throw fail(`${goPathError('chown', path, error)}: cannot give the socket to group ${group}${root ? '' : ' (the daemon is not root: the user must be a member of it)'}`)
      }
    }

    chmodSync(path, 0o660)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw e.syscall ? fail(goPathError(e.syscall, path, error)) : error
  }

  return {host, addr: path, server}
}
