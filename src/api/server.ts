// The Engine API HTTP server. It owns no listener: the daemon creates unix/TCP/TLS
// listeners (net.Server / tls.Server, systemd fds, ...) and hands each to serve(), which
// feeds accepted sockets into the one http.Server. So the same routes, timeouts and
// graceful shutdown apply to every `-H` host.
import http from 'node:http'
import type {Server as NetServer, Socket} from 'node:net'
import type {Duplex} from 'node:stream'

import {Front, frontEnabled, frontHeld, frontRelaying} from './front.js'
import {tagSocket} from './identity.js'
import type {MiddlewareContribution} from './middleware.js'
import {Call, Pipeline} from './pipeline.js'
import {ABORT_SHUTDOWN, createRouter, GoResponse, type Router} from './router.js'
import type {ApiContext, Route} from './types.js'
import {checkVersionRange} from './versions.js'

export interface ApiServerOptions {
  /** Time allowed to send the request head (slowloris guard). Node's default, stricter than moby's 5 min. */
  headersTimeout?: number
  /** Idle keep-alive connections close after this (Go clients retry such requests). */
  keepAliveTimeout?: number
  /** Go's default header limit; `X-Registry-Config` can exceed Node's 16 KiB. */
  maxHeaderSize?: number
  /** How often Node checks headersTimeout; sets how fast a slowloris is cut. */
  connectionsCheckingInterval?: number
  /** Plugins' middleware, placed at their positions in the list (a misplaced one throws, naming its plugin). */
  middleware?: readonly MiddlewareContribution[]
  /** The connection front on plain listeners (front.ts); default on unless DOCKERD_FRONT=0. */
  front?: boolean
}

export const DEFAULT_SERVER_OPTIONS: Required<Omit<ApiServerOptions, 'middleware' | 'front'>> = {
  headersTimeout: 60_000,
  keepAliveTimeout: 5_000,
  maxHeaderSize: 1 << 20,
  connectionsCheckingInterval: 5_000,
}

interface ServerState {
  api: ApiContext
  pipeline: Pipeline
  listeners: Map<NetServer, () => void>
  sockets: Set<Socket>
  /** Requests whose handler watches its signal (streams): aborted at shutdown. */
  active: Set<Call>
  tracking: boolean
  closing?: Promise<void>
  /** Takes plain connections before node:http (undefined: off). */
  front?: Front
}

const states = new WeakMap<http.Server, ServerState>()

function stateOf(server: http.Server): ServerState {
  const state = states.get(server)
  if (!state) throw new Error('not an API server: use createApiServer()')
  return state
}

/** The router behind a server made by createApiServer (plugins add routes through it). */
export function routerOf(server: http.Server): Router {
  return stateOf(server).pipeline.router
}

/** The names of a server's middleware list, in order. */
export function middlewareOf(server: http.Server): string[] {
  return stateOf(server).pipeline.names
}

// Go's net/http answers on malformed requests, written raw because no response object exists.
const ERROR_HEADERS = '\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n'

function onClientError(err: Error & {code?: string}, socket: Duplex): void {
  const inFlight = (socket as Duplex & {_httpMessage?: http.ServerResponse})._httpMessage
  // A read timeout gets no reply in Go; a reset or half-sent response leaves nothing to say.
  if (
    err.code === 'ECONNRESET' ||
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ||
    !socket.writable ||
    inFlight?.headersSent
  ) {
    socket.destroy()
    return
  }
  if (err.code === 'HPE_INVALID_TRANSFER_ENCODING') {
    socket.end(`HTTP/1.1 501 Not Implemented${ERROR_HEADERS}Unsupported transfer encoding`, () => socket.destroy())
  } else {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
    socket.end(`HTTP/1.1 ${status}${ERROR_HEADERS}${status}`, () => socket.destroy())
  }

  // A peer that never reads must not keep the socket alive.
  setTimeout(() => socket.destroy(), 1_000).unref()
}

// Go's net/http refuses these requests before any handler runs, with these status lines and bodies.
const MISSING_HOST: Refusal = [400, 'Bad Request: missing required Host header', '400 Bad Request: missing required Host header']
// Two Host headers are a request-smuggling vector in front of an engine: Go refuses them.
const TOO_MANY_HOSTS: Refusal = [400, 'Bad Request: too many Host headers', '400 Bad Request: too many Host headers']
// Go implements only `chunked` (RFC 7230 §3.3.1: 501); it does not echo the value back.
const UNSUPPORTED_TE: Refusal = [501, 'Not Implemented', 'Unsupported transfer encoding']

type Refusal = [status: number, statusMessage: string, body: string]

function refuse(res: http.ServerResponse, [status, message, body]: Refusal): void {
  res.statusCode = status
  res.statusMessage = message
  res.shouldKeepAlive = false
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Connection', 'close')
  res.end(body)
}

/** What Go's readRequest would refuse in a request node:http accepted, or undefined. */
function goRefusal(req: http.IncomingMessage): Refusal | undefined {
  if (req.headers.host === undefined) return req.httpVersion === '1.1' ? MISSING_HOST : undefined
  let hosts = 0
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++
  if (hosts > 1) return TOO_MANY_HOSTS
  const te = req.headers['transfer-encoding']
  // node:http joins repeated headers with ", ", which Go refuses too (`too many transfer encodings`).
  if (te !== undefined && te.toLowerCase() !== 'chunked') return UNSUPPORTED_TE
  return undefined
}

/**
 * Creates the API server for `routes` (an array, or a Router the caller keeps to add plugin
 * routes later). Throws when the context's API versions are out of range, as dockerd
 * refuses to start then.
 */
export function createApiServer(api: ApiContext, routes: Route[] | Router, options: ApiServerOptions = {}): http.Server {
  const rangeError = checkVersionRange(api.maxApiVersion, api.minApiVersion)
  if (rangeError) throw new Error(rangeError)
  const opts = {...DEFAULT_SERVER_OPTIONS, ...options}
  const router = Array.isArray(routes) ? createRouter(routes) : routes
  const pipeline = new Pipeline(api, router, options.middleware)
  const server = http.createServer({
    // One class for every response: Go-style heads without a closure per request.
    ServerResponse: GoResponse as unknown as typeof http.ServerResponse,
    headersTimeout: opts.headersTimeout,
    // 0: a body upload (docker load, build context) may take as long as it takes, and
    // /events responses stream for hours.
    requestTimeout: 0,
    maxHeaderSize: opts.maxHeaderSize,
    connectionsCheckingInterval: opts.connectionsCheckingInterval,
    // Checked in the request listener instead, to answer with Go's text.
    requireHostHeader: false,
  })
  server.keepAliveTimeout = opts.keepAliveTimeout
  server.timeout = 0
  const state: ServerState = {
    api,
    pipeline,
    listeners: new Map(),
    sockets: new Set(),
    active: new Set(),
    tracking: false,
  }
  states.set(server, state)
  if (options.front ?? frontEnabled()) {
    state.front = new Front({
      closing: () => state.closing !== undefined,
      headersTimeout: opts.headersTimeout,
      keepAliveTimeout: opts.keepAliveTimeout,
      maxHeaderSize: opts.maxHeaderSize,
      pipeline,
      server,
      sockets: state.sockets,
    })
  }

  server.on('connection', (socket: Socket) => {
    // A connection the front held comes here when the front hands it over: counted already.
    if (state.sockets.has(socket)) return
    state.sockets.add(socket)
    socket.once('close', () => state.sockets.delete(socket))
  })
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const refusal = goRefusal(req)
    if (refusal) {
      refuse(res, refusal)
      return
    }

    const call = new Call(pipeline, req, res)
    // Only a handler that watches its signal (a stream, a long call) is tracked for client-gone
    // and shutdown aborts: a listener and a set entry per /_ping would cost more than the ping.
    call.tracker = state.active
    if (state.closing) {
      // Requests still arriving on kept-alive connections are served, then the connection closes.
      res.shouldKeepAlive = false
      call.abort(ABORT_SHUTDOWN)
    }

    try {
      pipeline.handle(call)?.then(undefined, requestFailed.bind(call))
    } catch (error) {
      requestFailed.call(call, error)
    }
  })
  server.on('clientError', onClientError)
  // Requests that ask to upgrade the connection (attach, exec start, BuildKit's h2c, WebSocket)
  // arrive here with the raw socket. They take the same path as any other (the same middleware
  // list); an answer that does not upgrade is written on a response bound to the socket, which
  // then closes.
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const res = new GoResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket)
    res.once('finish', () => {
      res.detachSocket(socket)
      socket.end()
    })
    socket.on('error', () => socket.destroy())
    if (state.closing) {
      socket.destroy()
      return
    }

    const refusal = goRefusal(req)
    if (refusal) {
      refuse(res, refusal)
      return
    }

    const call = new Call(pipeline, req, res)
    const failed = (error: unknown): void => {
      api.log.error?.('API request failed', {error: String(error), method: req.method, 'request-url': req.url, module: 'api'})
      socket.destroy()
    }

    try {
      pipeline.handle(call, {head, socket})?.then(undefined, failed)
    } catch (error) {
      failed(error)
    }
  })
  return server
}

/** A request whose handling threw: 500 if nothing was sent yet, else the connection goes. */
function requestFailed(this: Call, err: unknown): void {
  const {req, res} = this
  this.api.log.error?.('API request failed', {module: 'api', method: req.method, 'request-url': req.url, error: String(err)})
  if (!res.headersSent && !res.destroyed) {
    res.statusCode = 500
    res.setHeader('Content-Type', 'application/json')
    res.end('{"message":"internal server error"}\n')
  } else {
    res.destroy()
  }
}

/**
 * Serves the API on a listener the daemon created: every accepted socket (TLS: every
 * handshaken socket) goes to `server`. Returns a function that detaches the listener
 * without closing it. closeGracefully() closes attached listeners.
 */
export function serve(server: http.Server, listener: NetServer, host?: string): () => void {
  const state = stateOf(server)
  if (state.listeners.has(listener)) throw new Error('listener already attached')
  if (!state.tracking) {
    // node:http starts its connection tracking (headersTimeout checks, closeIdleConnections)
    // on its own 'listening' event; our server never listens itself, so raise it once.
    state.tracking = true
    server.emit('listening')
  }
  // tls.Server, recognised without loading node:tls: its plain 'connection' sockets are
  // still encrypted; only 'secureConnection' ones can speak HTTP.
  const tls = typeof (listener as NetServer & {addContext?: unknown}).addContext === 'function'
  const event = tls ? 'secureConnection' : 'connection'
  // TLS connections stay on node:http's path.
  const front = tls ? undefined : state.front
  const forward = (socket: Socket): void => {
    if (state.closing) {
      socket.destroy()
      return
    }
    // Every request knows the -H address it came through (its caller's identity starts there).
    if (host !== undefined) tagSocket(socket, host)
    if (front) front.accept(socket)
    else server.emit('connection', socket)
  }
  listener.on(event, forward)
  const detach = (): void => {
    listener.off(event, forward)
    state.listeners.delete(listener)
  }
  state.listeners.set(listener, detach)
  return detach
}

/** Connections the server currently holds (for tests and `/info`-style diagnostics). */
export function connectionCount(server: http.Server): number {
  return stateOf(server).sockets.size
}

const MAX_TIMER_MS = 2 ** 31 - 1

/** A response is pending on it, or it was handed over (upgrade/hijack: node:http freed its parser). */
function inFlight(socket: Socket): boolean {
  // The front answers pings at once: its connections are idle unless an answer still waits to be
  // written or an engine's answer is being relayed.
  if (frontHeld(socket)) return socket.writableLength > 0 || frontRelaying(socket)
  const s = socket as Socket & {_httpMessage?: unknown; parser?: unknown}
  return Boolean(s._httpMessage) || !s.parser
}

/**
 * Graceful stop: close attached listeners (a unix socket file goes with it), stop taking
 * requests, end streaming responses (handlers see `signal.reason === 'shutdown'`), close idle
 * and half-sent connections at once and the others as their response ends, and destroy what
 * is left after `timeoutMs` (clamped to what a Node timer can wait).
 * Idempotent: later calls return the first call's promise.
 */
export function closeGracefully(server: http.Server, timeoutMs = 5_000): Promise<void> {
  const state = stateOf(server)
  if (state.closing) return state.closing
  state.closing = new Promise<void>((resolve) => {
    for (const [listener, detach] of [...state.listeners]) {
      detach()
      listener.close()
    }
    server.close()
    for (const ac of state.active) ac.abort(ABORT_SHUTDOWN)

    let poll: NodeJS.Timeout | undefined
    let force: NodeJS.Timeout | undefined
    const done = (): void => {
      clearInterval(poll)
      clearTimeout(force)
      resolve()
    }
    // Only a request in flight (a response not yet finished, or a hijacked stream) earns grace:
    // an idle keep-alive connection or a half-sent request head is closed at once (Node's
    // closeIdleConnections spares the latter), and the others as soon as their response ends.
    const check = (): void => {
      for (const socket of state.sockets) if (!inFlight(socket)) socket.destroy()
      if (state.sockets.size === 0) done()
    }
    poll = setInterval(check, 25)
    // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once with a warning).
    force = setTimeout(() => {
      for (const socket of state.sockets) socket.destroy()
      state.sockets.clear()
      done()
    }, Number.isNaN(timeoutMs) ? MAX_TIMER_MS : Math.min(Math.max(timeoutMs, 0), MAX_TIMER_MS))
    check()
  })
  return state.closing
}
