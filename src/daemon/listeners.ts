import {closeSync, lstatSync, readFileSync, readlinkSync, unlinkSync} from 'node:fs'
import {chmod, chown, lstat, readFile, unlink} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {BlockList, type AddressInfo, Server as NetServer, type Socket, connect, isIP} from 'node:net'
import {dirname} from 'node:path'
import type {Server as TLSServer, TLSSocket} from 'node:tls'
import {setTimeout as sleep} from 'node:timers/promises'

import {goJoinHostPort as joinHostPort, splitHostPort} from '../go/net.js'
import {hostPlatform} from '../platform/target.js'
import {ensureDir, errnoText, goPathError, rollbackDirs} from './dirs.js'
import type {LogSink} from '../log/types.js'
import type {ServerTLSOptions} from './tls.js'

/** What the daemon modules need of a logger. */
export type DaemonLog = LogSink

export interface Listener {
  /** The normalised host it came from (`unix:///var/run/docker.sock`, `fd://`, ...). */
  host: string
  /** For `API listen on <addr>`: the socket path, or `ip:port` with the real port. */
  addr: string
  /** Bound and listening; nothing is served until the API layer attaches to it. */
  server: NetServer | TLSServer
}

export interface ListenerOptions {
  /** From loadTLSOptions(); TCP (and TCP-type activated sockets) are then served over TLS. */
  tls?: ServerTLSOptions
  /** tlsDecision().explicit: tls/tlsverify given at all, which waives the 15 s pause. */
  tlsExplicit?: boolean
  /** --group ('' = leave the socket with the daemon's own gid). */
  socketGroup: string
  socketGroupExplicit: boolean
  log: DaemonLog
  /** Where LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES are read from and then deleted (default process.env). */
  listenFdsEnv?: NodeJS.ProcessEnv
  /**
   * Length of the deliberate pauses after the insecure-TCP warnings: called with true for the
   * 1 s pause every TCP host without client verification gets (the only one on loopback), and
   * with false for the extra 15 s one of a non-loopback host without explicit TLS settings.
   */
  insecureDelayMs?: (loopback: boolean) => number
  /** Default: the host's platform. */
  platform?: NodeJS.Platform
  /** Default /etc/group. */
  groupFile?: string
  /** Also ask `getent group` (NSS: LDAP, sssd, ...) when the group file lacks the name. Default true. */
  useGetent?: boolean
  /** How long a connect to an existing socket file may take before it counts as live. Default 1000. */
  staleProbeTimeoutMs?: number
  /** The daemon's effective uid (default process.geteuid()): only root gets the default group. */
  euid?: number
  /**
   * Open connections one listener may hold (`max-connections-per-listener`); further connections are
   * closed on accept, so a flood on one listener cannot use up the file descriptors the others need.
   * 0 or unset = no limit (the option table holds the daemon's default).
   */
  maxConnections?: number
  /** Time a TLS client has to complete its handshake. Default HANDSHAKE_TIMEOUT_MS. */
  handshakeTimeoutMs?: number
}

/** A client has this long, from accept, to finish the TLS handshake (dockerd has no limit at all). */
export const HANDSHAKE_TIMEOUT_MS = 10_000

export interface Listeners {
  listeners: Listener[]
  /** Stop listening, remove the socket files and directories this call created. Idempotent. */
  cleanup(): Promise<void>
}

const DEFAULT_SOCKET_GROUP = 'docker'

/** sizeof(sockaddr_un.sun_path), the terminating NUL included. */
const UNIX_PATH_MAX: Partial<Record<NodeJS.Platform, number>> = {linux: 108, android: 108}

const defaultInsecureDelay = (loopback: boolean): number => (loopback ? 1000 : 15_000)

export {splitHostPort} from '../go/net.js'

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

export function isLoopbackIP(ip: string): boolean {
  const v = isIP(ip)
  return v !== 0 && LOOPBACK.check(ip, v === 6 ? 'ipv6' : 'ipv4')
}

// ---------------------------------------------------------------------------------------------
// Groups

/** /etc/group lines `name:passwd:gid:members`; later duplicates do not override earlier ones. */
export function parseGroupFile(text: string): Map<string, number> {
  const groups = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue
    const [name, , gid] = line.split(':')
    if (!name || gid === undefined || !/^\d+$/.test(gid.trim())) continue
    if (!groups.has(name)) groups.set(name, Number(gid.trim()))
  }

  return groups
}

/** user.LookupGroup then a numeric gid, as moby's lookupGID: the group file, NSS, then digits. */
export async function lookupGroupId(
  name: string,
  opts: {groupFile?: string; useGetent?: boolean} = {},
): Promise<number | undefined> {
  try {
    const gid = parseGroupFile(await readFile(opts.groupFile ?? '/etc/group', 'utf8')).get(name)
    if (gid !== undefined) return gid
  } catch {
    // No readable group file (containers, Windows): fall through.
  }

  if (opts.useGetent ?? true) {
    const out = await new Promise<string>((resolve) => {
      void import('node:child_process').then(({execFile}) => execFile('getent', ['group', name], {timeout: 2000}, (error, stdout) => resolve(error ? '' : String(stdout))))
    })
    const gid = out.split('\n')[0]?.split(':')[2]
    if (gid && /^\d+$/.test(gid)) return Number(gid)
  }

  return /^\d+$/.test(name) ? Number(name) : undefined
}

// ---------------------------------------------------------------------------------------------
// systemd socket activation

export interface ActivatedFd {
  fd: number
  name: string
}

/** sd_listen_fds without the side effects: fds 3 … 3+N−1 when LISTEN_PID is us. */
export function parseListenFds(env: NodeJS.ProcessEnv, pid: number = process.pid): ActivatedFd[] {
  const listenPid = env.LISTEN_PID ?? ''
  const listenFds = env.LISTEN_FDS ?? ''
  if (!/^\d+$/.test(listenPid) || Number(listenPid) !== pid) return []
  if (!/^\d+$/.test(listenFds) || Number(listenFds) < 1) return []
  const names = (env.LISTEN_FDNAMES ?? '').split(':')
  return Array.from({length: Number(listenFds)}, (_, i) => ({fd: 3 + i, name: names[i] || 'unknown'}))
}

export const NO_ACTIVATED_SOCKETS =
  'no sockets found via socket activation: make sure the service was started by systemd'

/**
 * Which activated fds each `fd://<addr>` host takes (§6.4): `` or `*` all of them, a number
 * that one fd; `unused` are the fds no host took, which dockerd closes. Pure; throws dockerd's
 * texts. Unlike dockerd, several fd:// hosts share one reading of LISTEN_FDS.
 */
export function selectActivatedFds(
  activated: readonly number[],
  addrs: readonly string[],
): {byAddr: Map<string, number[]>; unused: number[]} {
  if (activated.length === 0) throw new Error(NO_ACTIVATED_SOCKETS)
  const byAddr = new Map<string, number[]>()
  const used = new Set<number>()
  for (const addr of addrs) {
    if (addr === '' || addr === '*') {
      byAddr.set(addr, [...activated])
      for (const fd of activated) used.add(fd)
      continue
    }

    if (!/^[+-]?\d+$/.test(addr)) throw new Error(`failed to parse systemd fd address: should be a number: ${addr}`)
    const fd = Number(addr)
    if (fd < 3) throw new Error(`failed to listen on systemd activated file: fd ${fd}`)
    if (activated.length < fd - 3 + 1) throw new Error('too few socket activated files passed in by systemd')
    byAddr.set(addr, [fd])
    used.add(fd)
  }

  return {byAddr, unused: activated.filter((fd) => !used.has(fd))}
}

type SocketKind = {kind: 'unix'; path: string} | {kind: 'inet'} | {kind: 'unknown'}

/**
 * What an inherited fd is, via /proc (Linux): needed because server.address() is null for an
 * inherited AF_UNIX fd (so `API listen on` could not name the path) and because only TCP-type
 * sockets get TLS.
 */
function describeInheritedSocket(fd: number): SocketKind {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
    if (!m) return {kind: 'unknown'}
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols[6] === m[1]) return {kind: 'unix', path: cols[7] ?? ''}
    }

    return {kind: 'inet'}
  } catch {
    return {kind: 'unknown'}
  }
}

// ---------------------------------------------------------------------------------------------
// Opening

/** listen() as a promise; `before`/`after` bracket the synchronous bind (for the umask). */
function listen(server: NetServer, arg: object | string, before?: () => void, after?: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening)
      reject(error)
    }

    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }

    server.once('error', onError)
    server.once('listening', onListening)
    try {
      before?.()
      server.listen(arg as never)
    } catch (error) {
      server.off('error', onError)
      server.off('listening', onListening)
      reject(error)
    } finally {
      after?.()
    }
  })
}

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

class Opened {
  readonly listeners: Listener[] = []
  private readonly servers: NetServer[] = []
  private readonly sockets: Array<{path: string; ino: number}> = []
  private readonly dirs: string[] = []
  private readonly early: Socket[][] = []
  private cleaned = false

  addServer(server: NetServer): void {
    this.servers.push(server)
    this.holdEarlyConnections(server)
  }

  /**
   * A listener accepts from the moment it is bound, but the API server attaches only once the
   * daemon has started (serve()): a net.Server with no listener for its connections would leave
   * them open and unanswered for good. They wait here instead, as they wait in the kernel's
   * backlog for Go's accept loop, and go to the first listener that attaches.
   */
  private holdEarlyConnections(server: NetServer): void {
    // tls.Server: only handshaken sockets ('secureConnection') speak HTTP, as in api/server.ts serve().
    // (Told by its method rather than instanceof: node:tls loads only when a listener uses TLS.)
    const event = typeof (server as TLSServer).addContext === 'function' ? 'secureConnection' : 'connection'
    const early: Socket[] = []
    this.early.push(early)
    const hold = (socket: Socket): void => {
      early.push(socket)
    }

    const handOver = (name: string | symbol, listener: unknown): void => {
      if (name !== event || listener === hold) return
      server.off('newListener', handOver)
      server.off(event, hold)
      // 'newListener' fires before the listener is added.
      queueMicrotask(() => {
        for (const socket of early.splice(0)) if (!socket.destroyed) server.emit(event, socket)
      })
    }

    server.on(event, hold)
    server.on('newListener', handOver)
  }

  addSocketFile(path: string): void {
    try {
      this.sockets.push({path, ino: lstatSync(path).ino})
    } catch {
      // Gone already.
    }
  }

  addDirs(dirs: string[]): void {
    this.dirs.push(...dirs)
  }

  async cleanup(): Promise<void> {
    if (this.cleaned) return
    this.cleaned = true
    // close() stops accepting at once (and libuv unlinks a bound unix socket); open connections
    // belong to the API layer's graceful shutdown, so we do not wait for them.
    for (const server of this.servers.reverse()) {
      try {
        server.close()
      } catch {
        // Not listening any more.
      }
    }

    // A failed start: nobody will answer the connections that waited for it.
    for (const early of this.early) for (const socket of early.splice(0)) socket.destroy()
    for (const {path, ino} of this.sockets) {
      try {
        // Only the very file we bound: a successor may already own the path.
        if (lstatSync(path).ino === ino) unlinkSync(path)
      } catch {
        // Already removed by close().
      }
    }

    rollbackDirs(this.dirs)
  }
}

async function openUnix(host: string, path: string, opts: ListenerOptions, opened: Opened): Promise<Listener> {
  const fail = (msg: string): Error => new Error(`can't create unix socket ${path}: ${msg}`)
  const inUse = (): Error => fail(`listen unix ${path}: bind: address already in use`)
  // Node would silently bind a truncated path (elsewhere, and never cleaned up): refuse first.
  const room = UNIX_PATH_MAX[opts.platform ?? hostPlatform()] ?? 104
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
    st = await lstat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fail(goPathError('lstat', path, error))
  }

  if (st) {
    if (!st.isSocket() || (await socketAnswers(path, opts.staleProbeTimeoutMs ?? 1000))) throw inUse()
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw fail(goPathError('remove', path, error))
    })
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
      await chown(path, process.geteuid?.() ?? -1, gid).catch((error: unknown) => {
        throw fail(`${goPathError('chown', path, error)}: cannot give the socket to group ${group}${root ? '' : ' (the daemon is not root: the user must be a member of it)'}`)
      })
    }

    await chmod(path, 0o660)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw e.syscall ? fail(goPathError(e.syscall, path, error)) : error
  }

  return {host, addr: path, server}
}

/** Same wording as Go's net package for the port of `listen tcp`. */
function parsePort(port: string): number {
  if (!/^\d+$/.test(port)) throw new Error(`listen tcp: address tcp/${port}: unknown port`)
  const n = Number(port)
  if (n > 65_535) throw new Error(`listen tcp: address ${port}: invalid port`)
  return n
}

async function isLoopbackHost(hostname: string, log: DaemonLog): Promise<boolean> {
  if (hostname === 'localhost') return true
  if (isIP(hostname)) return isLoopbackIP(hostname)
  try {
    return isLoopbackIP((await (await import('node:dns/promises')).lookup(hostname)).address)
  } catch (error) {
    log.error('Error looking up specified host address', {error: (error as Error).message, host: hostname})
    return false
  }
}

/** Go's net.Listen picks one address for a name, IPv4 first. */
async function resolveListenHost(hostname: string): Promise<string> {
  if (hostname === '' || isIP(hostname)) return hostname
  try {
    const all = await (await import('node:dns/promises')).lookup(hostname, {all: true})
    return (all.find((a) => a.family === 4) ?? all[0]!).address
  } catch {
    throw new Error(`listen tcp: lookup ${hostname}: no such host`)
  }
}

async function insecureTCPWarnings(host: string, hostname: string, opts: ListenerOptions): Promise<void> {
  const {log} = opts
  const f = {host}
  const delay = opts.insecureDelayMs ?? defaultInsecureDelay
  log.warn(
    'Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.',
    f,
  )
  log.warn(
    'Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there!',
    f,
  )
  log.warn(
    '[DEPRECATION NOTICE] In future versions this will be a hard failure preventing the daemon from starting! Learn more at: https://docs.docker.com/go/api-security/',
    f,
  )
  await sleep(delay(true))
  // An explicit --tls=false / --tlsverify=false is taken as informed consent (checkTLSAuthOK).
  if (opts.tlsExplicit) return
  if (await isLoopbackHost(hostname, log)) return
  log.warn(
    'Binding to an IP address without --tlsverify is deprecated. Startup is intentionally being slowed down to show this message',
    f,
  )
  log.warn(
    'Please consider generating tls certificates with client validation to prevent exposing unauthenticated root access to your network',
    f,
  )
  log.warn("You can override this by explicitly specifying '--tls=false' or '--tlsverify=false'", f)
  log.warn(
    'Support for listening on TCP without authentication or explicit intent to run without authentication will be removed in the next release',
    f,
  )
  await sleep(delay(false))
}

/**
 * A listener's server with its limits: the connection bound (Node closes connections past
 * maxConnections on accept) and, for TLS, a handshake deadline counted from accept. Node's own
 * handshakeTimeout is an idle timer that each trickled byte resets, and a plain tls.Server
 * only reports a failed handshake: the socket must be destroyed here or it stays open forever.
 */
function newServer(tlsOptions: ServerTLSOptions | undefined, opts: ListenerOptions): NetServer | TLSServer {
  const {log} = opts
  const handshakeMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
  const tls = tlsOptions && (createRequire(import.meta.url)('node:tls') as typeof import('node:tls'))
  const server = tls ? new tls.Server({...tlsOptions, handshakeTimeout: handshakeMs}) : new NetServer()
  limitConnections(server, opts)
  if (!tlsOptions) return server
  const deadlines = new WeakMap<object, NodeJS.Timeout>()
  server.on('connection', (raw: Socket) => {
    const timer = setTimeout(() => raw.destroy(), handshakeMs)
    timer.unref()
    deadlines.set(raw, timer)
    raw.once('close', () => clearTimeout(timer))
  })
  server.on('secureConnection', (socket: TLSSocket) => {
    const raw = (socket as TLSSocket & {_parent?: object})._parent
    if (raw) clearTimeout(deadlines.get(raw))
  })
  server.on('tlsClientError', (error, socket) => {
    // A failed handshake is the client's problem, but worth a trace when debugging certificates.
    log.debug('TLS handshake error', {error: error.message, remote: socket.remoteAddress})
    socket.destroy()
  })
  return server
}

/** Applies max-connections-per-listener; refused connections are logged at most once a minute. */
function limitConnections(server: NetServer, opts: ListenerOptions): void {
  const max = opts.maxConnections ?? 0
  if (max <= 0) return
  server.maxConnections = max
  let lastWarned = 0
  server.on('drop', (data?: {remoteAddress?: string}) => {
    const now = Date.now()
    if (now - lastWarned < 60_000) return
    lastWarned = now
    opts.log.warn(`listener at its limit of ${max} open connections (max-connections-per-listener): refusing new connections`, {remote: data?.remoteAddress ?? ''})
  })
}

async function openTCP(host: string, addr: string, opts: ListenerOptions, opened: Opened): Promise<Listener> {
  let hostname: string
  let port: string
  try {
    ;({host: hostname, port} = splitHostPort(addr))
  } catch (error) {
    throw new Error(`error parsing tcp address: ${(error as Error).message}`)
  }

  const verified = Boolean(opts.tls?.requestCert && opts.tls.rejectUnauthorized)
  if (!verified) await insecureTCPWarnings(host, hostname, opts)
  const portNum = parsePort(port)
  const ip = await resolveListenHost(hostname)
  const server = newServer(opts.tls, opts)
  opened.addServer(server)
  await listen(server, {host: ip === '' ? undefined : ip, port: portNum}).catch((error: unknown) => {
    throw new Error(`listen tcp ${joinHostPort(ip, port)}: bind: ${errnoText(error)}`)
  })
  const a = server.address() as AddressInfo
  return {host, addr: joinHostPort(a.address, a.port), server}
}

async function openActivated(
  host: string,
  fds: number[],
  opts: ListenerOptions,
  opened: Opened,
  taken: Set<number>,
): Promise<Listener[]> {
  const out: Listener[] = []
  for (const fd of fds) {
    if (taken.has(fd)) continue // `fd://` and `fd://3` together: one server per fd.
    taken.add(fd)
    const what = describeInheritedSocket(fd)
    const server = newServer(what.kind === 'inet' ? opts.tls : undefined, opts)
    opened.addServer(server)
    await listen(server, {fd}).catch(() => {
      throw new Error(`failed to listen on systemd activated file: fd ${fd}`)
    })
    const a = server.address()
    let addr: string
    if (what.kind === 'unix') addr = what.path
    else if (a && typeof a === 'object') addr = joinHostPort(a.address, a.port)
    else addr = typeof a === 'string' && a !== '' ? a : `fd://${fd}`
    out.push({host, addr, server})
  }

  return out
}

/**
 * Bind every API listener (§6.1 step 15, §6.4) without serving it. On any error everything this
 * call opened or created is undone before the error propagates; the caller prefixes
 * `failed to load listeners: `.
 */
export async function openListeners(hosts: readonly string[], opts: ListenerOptions): Promise<Listeners> {
  const platform = opts.platform ?? hostPlatform()
  const opened = new Opened()
  let activation: {byAddr: Map<string, number[]>} | undefined
  const taken = new Set<number>()
  try {
    for (const host of hosts) {
      const sep = host.indexOf('://')
      if (sep < 0) throw new Error(`bad format ${host}, expected PROTO://ADDR`)
      const proto = host.slice(0, sep)
      const addr = host.slice(sep + 3)
      switch (proto) {
        case 'tcp': {
          opened.listeners.push(await openTCP(host, addr, opts, opened))
          break
        }

        case 'unix': {
          if (platform === 'win32') throw new Error('unix sockets are not supported on Windows by this daemon')
          opened.listeners.push(await openUnix(host, addr, opts, opened))
          break
        }

        case 'fd': {
          if (platform === 'win32') throw windowsProto()
          activation ??= readActivation(hosts, opts.listenFdsEnv ?? process.env)
          opened.listeners.push(...(await openActivated(host, activation.byAddr.get(addr)!, opts, opened, taken)))
          break
        }

        case 'npipe': {
          if (platform !== 'win32') throw new Error('invalid protocol format: "npipe"')
          opened.listeners.push(await openPipe(host, addr, opts, opened))
          break
        }

        default: {
          throw platform === 'win32' ? windowsProto() : new Error(`invalid protocol format: ${JSON.stringify(proto)}`)
        }
      }

      opts.log.debug(`Listener created for HTTP on ${proto} (${addr})`)
    }
  } catch (error) {
    await opened.cleanup()
    throw error
  }

  return {listeners: opened.listeners, cleanup: () => opened.cleanup()}
}

function windowsProto(): Error {
  return new Error('invalid protocol format: windows only supports tcp, unix and npipe')
}

/**
 * Reads and unsets LISTEN_* once for all fd:// hosts, selects their fds and closes the activated
 * fds nobody asked for (as dockerd does for `fd://N`).
 */
function readActivation(hosts: readonly string[], env: NodeJS.ProcessEnv): {byAddr: Map<string, number[]>} {
  const fds = parseListenFds(env)
  // sd_listen_fds(unset_environment=1): children (containerd, plugins) must not see them.
  delete env.LISTEN_PID
  delete env.LISTEN_FDS
  delete env.LISTEN_FDNAMES
  const addrs = hosts.filter((h) => h.startsWith('fd://')).map((h) => h.slice('fd://'.length))
  const {byAddr, unused} = selectActivatedFds(
    fds.map((f) => f.fd),
    addrs,
  )
  for (const fd of unused) {
    try {
      closeSync(fd)
    } catch (error) {
      throw new Error(`failed to close systemd activated file: fd ${fd}: ${errnoText(error)}`)
    }
  }

  return {byAddr}
}

async function openPipe(host: string, addr: string, opts: ListenerOptions, opened: Opened): Promise<Listener> {
  // Node cannot set a pipe's security descriptor, so --group cannot grant access as dockerd's
  // `(A;;GRGW;;;<SID>)` entry does; say so rather than pretend.
  if (opts.socketGroup !== '') {
    opts.log.warn(`--group ${opts.socketGroup} is not applied to named pipe ${addr}: not supported by this daemon`)
  }

  const server = newServer(undefined, opts)
  opened.addServer(server)
  await listen(server, addr.replaceAll('/', '\\')).catch((error: unknown) => {
    throw new Error(`listen npipe ${addr}: ${errnoText(error)}`)
  })
  return {host, addr, server}
}
