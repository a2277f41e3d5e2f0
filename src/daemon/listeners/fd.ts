// fd:// listeners (§6.4): systemd socket activation.
import {closeSync, readFileSync, readlinkSync} from 'node:fs'

import {goJoinHostPort as joinHostPort} from '../../go/net.js'
import {errnoText} from '../dirs.js'
import type {Opened} from './opened.js'
import {listen, newServer} from './server.js'
import type {Listener, ListenerOptions} from './types.js'

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

export async function openActivated(
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
 * Reads and unsets LISTEN_* once for all fd:// hosts, selects their fds and closes the activated
 * fds nobody asked for (as dockerd does for `fd://N`).
 */
export function readActivation(hosts: readonly string[], env: NodeJS.ProcessEnv): {byAddr: Map<string, number[]>} {
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
