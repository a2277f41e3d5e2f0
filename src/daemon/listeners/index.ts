// The API listeners (§6.1 step 15, §6.4): one module per kind (tcp, unix, fd, npipe), the shared
// server limits (server.ts), the connections held until the API attaches (early-accept.ts) and the
// undo of a failed open (opened.ts). Which kinds exist is the platform object's answer.
import {hostOS, platformOf, currentPlatform} from '../../platform/platform.js'
import type {ListenerKind, Platform} from '../../platform/types.js'
import {openActivated, readActivation} from './fd.js'
import {openPipe} from './npipe.js'
import {Opened} from './opened.js'
import {openTCP} from './tcp.js'
import type {Listener, ListenerOptions, Listeners} from './types.js'
import {openUnix} from './unix.js'

export {splitHostPort} from '../../go/net.js'
export {NO_ACTIVATED_SOCKETS, parseListenFds, selectActivatedFds, type ActivatedFd} from './fd.js'
export {lookupGroupId, parseGroupFile} from './groups.js'
export {isLoopbackIP} from './tcp.js'
export {HANDSHAKE_TIMEOUT_MS, type DaemonLog, type Listener, type ListenerOptions, type Listeners} from './types.js'

/** One openListeners() call: what every host's opener may share (activated fds are read once). */
interface OpenCall {
  hosts: readonly string[]
  opts: ListenerOptions
  opened: Opened
  platform: Platform
  activation?: {byAddr: Map<string, number[]>}
  /** Activated fds already served: `fd://` and `fd://3` together give one server per fd. */
  taken: Set<number>
}

const OPENERS: Readonly<Record<ListenerKind, (host: string, addr: string, call: OpenCall) => Promise<Listener[]>>> = {
  async fd(host, addr, call) {
    call.activation ??= readActivation(call.hosts, call.opts.listenFdsEnv ?? process.env)
    return openActivated(host, call.activation.byAddr.get(addr)!, call.opts, call.opened, call.taken)
  },
  npipe: async (host, addr, call) => [await openPipe(host, addr, call.opts, call.opened)],
  tcp: async (host, addr, call) => [await openTCP(host, addr, call.opts, call.opened)],
  unix: async (host, addr, call) => [await openUnix(host, addr, call.opts, call.opened, call.platform)],
}

/**
 * Bind every API listener (§6.1 step 15, §6.4) without serving it. On any error everything this
 * call opened or created is undone before the error propagates; the caller prefixes
 * `failed to load listeners: `.
 */
export async function openListeners(hosts: readonly string[], opts: ListenerOptions): Promise<Listeners> {
  const platform = opts.platform === undefined ? (hostOS() ?? currentPlatform()) : platformOf(opts.platform)
  const opened = new Opened()
  const call: OpenCall = {hosts, opened, opts, platform, taken: new Set()}
  try {
    for (const host of hosts) {
      const sep = host.indexOf('://')
      if (sep < 0) throw new Error(`bad format ${host}, expected PROTO://ADDR`)
      const proto = host.slice(0, sep)
      const addr = host.slice(sep + 3)
      if (!(platform.listenerKinds as readonly string[]).includes(proto)) throw new Error(platform.unsupportedListener(proto))
      opened.listeners.push(...(await OPENERS[proto as ListenerKind](host, addr, call)))
      opts.log.debug(`Listener created for HTTP on ${proto} (${addr})`)
    }
  } catch (error) {
    await opened.cleanup()
    throw error
  }

  return {listeners: opened.listeners, cleanup: () => opened.cleanup()}
}
