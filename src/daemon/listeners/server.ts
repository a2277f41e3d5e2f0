// What every listener kind shares: listen() as a promise and a server with its limits.
import {createRequire} from 'node:module'
import {Server as NetServer, type Socket} from 'node:net'
import type {Server as TLSServer, TLSSocket} from 'node:tls'

import type {ServerTLSOptions} from '../tls.js'
import {HANDSHAKE_TIMEOUT_MS, type ListenerOptions} from './types.js'

/** listen() as a promise; `before`/`after` bracket the synchronous bind (for the umask). */
export function listen(server: NetServer, arg: object | string, before?: () => void, after?: () => void): Promise<void> {
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

/**
 * A listener's server with its limits: the connection bound (Node closes connections past
 * maxConnections on accept) and, for TLS, a handshake deadline counted from accept. Node's own
 * handshakeTimeout is an idle timer that each trickled byte resets, and a plain tls.Server
 * only reports a failed handshake: the socket must be destroyed here or it stays open forever.
 */
export function newServer(tlsOptions: ServerTLSOptions | undefined, opts: ListenerOptions): NetServer | TLSServer {
  const {log} = opts
  const handshakeMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
  // node:tls loads only when a listener uses TLS.
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
