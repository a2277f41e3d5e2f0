// The connection to the upstream engine: one keep-alive agent per configured address, its
// health (probed with HEAD /_ping, with backoff while it is down) and what its /_ping said.
import {readFileSync} from 'node:fs'
import type http from 'node:http'
import type https from 'node:https'
import {createRequire} from 'node:module'

import type {EnginePing} from '../../../api/types.js'
import {errnoText} from '../../../daemon/dirs.js'
import type {LogSink} from '../../../log/types.js'
import type {EngineAddress} from './address.js'
import {Conn, type ConnSource} from './fast.js'
import {ResponseReader} from './framing.js'

export interface EngineTLS {
  ca: string
  cert?: string
  key?: string
}

/** Time allowed to connect (the OS's own timeout is minutes). */
export const CONNECT_TIMEOUT_MS = 10_000
/** Time allowed for the daemon's own calls to the upstream (/_ping, /info, /version). */
export const CALL_TIMEOUT_MS = 10_000
/** Backoff between probes while the upstream is down: doubles from the first to the last. */
export const BACKOFF_MS = {first: 250, max: 5_000}
/** While it is up, how often the upstream is asked again (it may restart as another version). */
export const HEALTH_INTERVAL_MS = 10_000

/** An upstream failure in Go's words: `dial unix /run/docker.sock: connect: connection refused`. */
export function describeUpstreamError(address: EngineAddress, error: unknown): string {
  const e = error as NodeJS.ErrnoException & {upstream?: string}
  if (e?.upstream) return e.upstream
  const code = e?.code ?? ''
  const target = address.kind === 'unix' ? `unix ${address.path}` : `tcp ${address.host}:${address.port}`
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ENOTSOCK' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return `dial ${target}: connect: ${errnoText(e)}`
  }

  if (code === 'ETIMEDOUT') return `dial ${target}: i/o timeout`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial ${target}: lookup ${address.kind === 'tcp' ? address.host : ''}: no such host`
  if (code === 'ECONNRESET' || code === 'EPIPE') return `read ${target}: connection reset by peer`
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return `tls: failed to verify the engine's certificate (${code})`
  }

  if (code.startsWith('HPE_')) return 'its answer is not HTTP (is a Docker engine listening there?)'
  return errnoText(e)
}

/** Error codes that mean the upstream could not be reached at all. */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

function timeoutError(): NodeJS.ErrnoException {
  return Object.assign(new Error('i/o timeout'), {code: 'ETIMEDOUT'})
}

/** The networking modules, loaded only when an engine is configured: --help and --version never pay for them. */
export interface NetModules {
  http: typeof import('node:http')
  https: typeof import('node:https')
  isIP: typeof import('node:net').isIP
  connect: typeof import('node:net').connect
  checkServerIdentity: typeof import('node:tls').checkServerIdentity
}

let netModules: NetModules | undefined

export async function loadNetModules(): Promise<NetModules> {
  if (!netModules) {
    const [h, net] = await Promise.all([import('node:http'), import('node:net')])
    // node:https and node:tls (node:crypto with them) on first use: only a TLS engine needs them.
    const nodeRequire = createRequire(import.meta.url)
    netModules = {
      get checkServerIdentity() {
        return (nodeRequire('node:tls') as typeof import('node:tls')).checkServerIdentity
      },
      connect: net.connect,
      http: h.default,
      get https() {
        return nodeRequire('node:https') as typeof import('node:https')
      },
      isIP: net.isIP,
    }
  }

  return netModules
}

/** What Node's http.request needs for one call to the upstream. */
export type RequestOptions = http.RequestOptions & https.RequestOptions

/** Free raw connections kept for the fast path (as the agent's maxFreeSockets). */
export const MAX_FREE_CONNS = 64

/** What the probe needs of a /_ping answer. */
interface PingAnswer {
  status: number
  /** The first value of a header, by its lower-case name. */
  header(name: string): string | undefined
}

/** The probe's request: what a Docker client sends for `HEAD /_ping`. */
const PING_REQUEST = 'HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n'

export class Upstream implements ConnSource {
  private agentOnce?: http.Agent
  /** The fast path's connections: free ones (reused last in, first out) and those carrying a request. */
  private readonly free: Conn[] = []
  private readonly busy = new Set<Conn>()
  private keepConns = true
  private readonly tlsOptions?: {ca: Buffer; cert?: Buffer; key?: Buffer}
  private lastPing?: EnginePing
  private up: boolean | undefined
  private lastError?: string
  private timer?: NodeJS.Timeout
  private delay = BACKOFF_MS.first
  private probing?: Promise<boolean>
  private closed = false

  constructor(
    private readonly net: NetModules,
    readonly address: EngineAddress,
    tls: EngineTLS | undefined,
    private readonly log: LogSink,
    private readonly onStatus: (status: string) => void = () => {},
  ) {
    if (tls) {
      // Read now so that a missing file fails the start (or the reload), naming it.
      const read = (flag: string, path: string): Buffer => {
        try {
          return readFileSync(path)
        } catch (error) {
          throw new Error(`${flag}: could not read ${path}: ${errnoText(error)}`)
        }
      }

      this.tlsOptions = {
        ca: read('--engine-tlscacert', tls.ca),
        cert: tls.cert ? read('--engine-tlscert', tls.cert) : undefined,
        key: tls.key ? read('--engine-tlskey', tls.key) : undefined,
      }
    }

  }

  /** node:http's keep-alive agent, made for the first request that goes through node:http's client. */
  get agent(): http.Agent {
    if (!this.agentOnce) {
      const options = {keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64, scheduling: 'lifo' as const}
      this.agentOnce = this.tlsOptions
        ? new this.net.https.Agent({...options, ...this.tlsOptions, minVersion: 'TLSv1.2', rejectUnauthorized: true})
        : new this.net.http.Agent(options)
    }

    return this.agentOnce
  }

  get tls(): boolean {
    return this.tlsOptions !== undefined
  }

  /** Options for one request to `path` (the URI as the client sent it). */
  options(method: string, path: string): RequestOptions {
    const base: RequestOptions = {agent: this.agent, method, path, setHost: false}
    if (this.address.kind === 'unix') base.socketPath = this.address.path
    else {
      base.host = this.address.host
      base.port = this.address.port
      if (this.tlsOptions) {
        // Node would take the server name from the request's Host header (the client's, e.g.
        // `docker`): name the configured host instead (no SNI for an IP, as RFC 6066 wants), and
        // check the certificate against it.
        const host = this.address.host
        base.servername = this.net.isIP(host) ? '' : host
        base.checkServerIdentity = (_name, cert) => this.net.checkServerIdentity(host, cert)
      }
    }

    return base
  }

  /** Starts a request; a connect that takes longer than CONNECT_TIMEOUT_MS fails with ETIMEDOUT. */
  request(options: RequestOptions): http.ClientRequest {
    const req = this.tlsOptions ? this.net.https.request(options) : this.net.http.request(options)
    req.once('socket', (socket) => {
      if (!socket.connecting) return
      const timer = setTimeout(() => req.destroy(timeoutError()), CONNECT_TIMEOUT_MS)
      socket.once('connect', () => clearTimeout(timer))
      socket.once('secureConnect', () => clearTimeout(timer))
      socket.once('close', () => clearTimeout(timer))
    })
    return req
  }

  /** A raw connection for the fast path (plain unix/tcp only; see fast.ts). */
  acquire(fresh: boolean, cb: (error: Error | undefined, conn?: Conn) => void): void {
    if (!fresh) {
      const conn = this.free.pop()
      if (conn) {
        conn.socket.ref()
        this.busy.add(conn)
        cb(undefined, conn)
        return
      }
    }

    const a = this.address
    const socket = a.kind === 'unix' ? this.net.connect({path: a.path}) : this.net.connect({host: a.host, noDelay: true, port: a.port})
    const timer = setTimeout(() => socket.destroy(timeoutError()), CONNECT_TIMEOUT_MS)
    const onError = (error: Error): void => {
      clearTimeout(timer)
      cb(error)
    }

    socket.once('error', onError)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.off('error', onError)
      const conn = new Conn(socket, (c, reusable) => this.release(c, reusable))
      this.busy.add(conn)
      cb(undefined, conn)
    })
  }

  private release(conn: Conn, reusable: boolean): void {
    this.busy.delete(conn)
    const i = this.free.indexOf(conn)
    if (i >= 0) this.free.splice(i, 1)
    if (!reusable) return
    if (!this.keepConns || this.free.length >= MAX_FREE_CONNS) {
      conn.socket.destroy()
      return
    }

    // A free connection never keeps the daemon alive.
    conn.socket.unref()
    this.free.push(conn)
  }

  /** The 502 message for a request that could not reach the upstream. */
  unreachable(error: unknown): string {
    return `cannot reach the engine at ${this.address.text}: ${describeUpstreamError(this.address, error)}`
  }

  /**
   * One call of the daemon's own to the upstream, bounded in time (CALL_TIMEOUT_MS, reading the
   * answer included: `timer` is cleared by the caller once done); rejects with the request's error.
   */
  private call(method: string, path: string, signal?: AbortSignal): Promise<{req: http.ClientRequest; res: http.IncomingMessage; timer: NodeJS.Timeout}> {
    return new Promise((resolve, reject) => {
      const req = this.request({...this.options(method, path), headers: {Host: 'docker'}, signal})
      const timer = setTimeout(() => req.destroy(timeoutError()), CALL_TIMEOUT_MS)
      req.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      req.on('response', (res) => resolve({req, res, timer}))
      req.end()
    })
  }

  /** A JSON call of the daemon's own (`/v1.41/info`), bounded in time; rejects with the upstream's cause. */
  async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    let answer: Awaited<ReturnType<Upstream['call']>>
    try {
      answer = await this.call('GET', path, signal)
    } catch (error) {
      this.failed(error)
      throw error
    }

    const {req, res, timer} = answer
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      let cut: Error | undefined
      res.on('data', (c: Buffer) => {
        size += c.length
        // /info and /version are a few KiB; a runaway answer is cut.
        if (size > 8 << 20) {
          cut = Object.assign(new Error('answer too large'), {upstream: `the engine's answer to ${path} is too large`})
          req.destroy(cut)
        } else chunks.push(c)
      })
      res.on('error', () => {})
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      res.on('close', () => {
        if (!res.complete) reject(cut ?? Object.assign(new Error('answer cut'), {upstream: `the engine's answer to ${path} was cut off`}))
      })
    }).finally(() => clearTimeout(timer))
    if ((res.statusCode ?? 500) >= 400) {
      let message = text.trim()
      try {
        message = (JSON.parse(text) as {message?: string}).message ?? message
      } catch {}

      throw Object.assign(new Error(message), {status: res.statusCode, upstream: `the engine answered ${res.statusCode} to ${path}: ${message}`})
    }

    try {
      return JSON.parse(text)
    } catch {
      throw Object.assign(new Error('not JSON'), {upstream: `the engine's answer to ${path} is not JSON`})
    }
  }

  /** The last /_ping headers (kept while it is down: the version does not change while nobody answers). */
  ping(): EnginePing | undefined {
    return this.lastPing
  }

  isUp(): boolean {
    return this.up === true
  }

  /** Why the upstream is unreachable, while it is. */
  problem(): string | undefined {
    return this.up === false ? this.lastError : undefined
  }

  /** Probes now unless a probe runs already; true when the upstream answered /_ping. */
  probe(): Promise<boolean> {
    this.probing ??= this.pingOnce().finally(() => {
      this.probing = undefined
    })
    return this.probing
  }

  private async pingOnce(): Promise<boolean> {
    let res: PingAnswer
    try {
      res = await (this.tlsOptions ? this.pingHttp() : this.pingRaw())
    } catch (error) {
      this.failed(error, true)
      return false
    }

    if (res.status !== 200 || !res.header('api-version')) {
      this.failed(Object.assign(new Error('bad ping'), {upstream: `the engine at ${this.address.text} answered ${res.status} to /_ping`}), true)
      return false
    }

    this.lastPing = {
      apiVersion: res.header('api-version'),
      builderVersion: res.header('builder-version'),
      experimental: res.header('docker-experimental'),
      osType: res.header('ostype'),
      swarm: res.header('swarm'),
    }
    this.succeeded(res.header('server') ?? '')
    return true
  }

  /** HEAD /_ping through node:http's client (TLS: the agent holds the certificates). */
  private async pingHttp(): Promise<PingAnswer> {
    const {res, timer} = await this.call('HEAD', '/_ping')
    clearTimeout(timer)
    res.resume()
    const h = res.headers
    return {header: (name) => ([] as Array<string | undefined>).concat(h[name])[0], status: res.statusCode ?? 0}
  }

  /**
   * HEAD /_ping written on a connection of its own and its answer's head read by the fast path's
   * parser: a daemon's start waits for this probe, and node:http's client costs several ms the
   * first time (its agent compiles Node's IPv6 regex to name the server). Connection and answer
   * within CALL_TIMEOUT_MS; the connection is closed after the head.
   */
  private pingRaw(): Promise<PingAnswer> {
    return new Promise((resolve, reject) => {
      const a = this.address
      const socket = a.kind === 'unix' ? this.net.connect({path: a.path}) : this.net.connect({host: a.host, port: a.port})
      const reader = new ResponseReader(true)
      const finish = (error: Error | undefined, answer?: PingAnswer): void => {
        clearTimeout(timer)
        socket.destroy()
        if (error) reject(error)
        else resolve(answer!)
      }

      const timer = setTimeout(() => finish(timeoutError()), CALL_TIMEOUT_MS)
      socket.on('error', (error) => finish(error))
      socket.on('close', () => finish(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})))
      socket.on('data', (chunk: Buffer) => {
        try {
          reader.feed(chunk)
        } catch (error) {
          finish(error as Error)
          return
        }

        const head = reader.head
        if (!head) return
        const raw = head.rawHeaders
        finish(undefined, {
          header(name) {
            for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) return raw[i + 1]
            return undefined
          },
          status: head.status,
        })
      })
      socket.write(PING_REQUEST)
    })
  }

  /**
   * Called when a request could not reach the upstream: marks it down and probes with backoff.
   * A failed probe always counts; for other requests only failures to connect do (an error
   * answer or a reset stream says nothing about the next request).
   */
  failed(error: unknown, probe = false): void {
    const message = describeUpstreamError(this.address, error)
    const code = (error as NodeJS.ErrnoException)?.code ?? ''
    const unreachable = probe || UNREACHABLE.has(code)
    if (!unreachable || this.closed) return
    this.lastError = message
    if (this.up !== false) {
      this.up = false
      this.delay = BACKOFF_MS.first
      this.log.warn(`engine at ${this.address.text} is not reachable: ${message}; retrying`, {module: 'engine'})
      this.onStatus(`Engine ${this.address.text} not reachable: ${message}`)
    }

    this.schedule(this.delay)
    this.delay = Math.min(this.delay * 2, BACKOFF_MS.max)
  }

  private succeeded(server: string): void {
    this.lastError = undefined
    if (this.up !== true) {
      this.up = true
      this.log.info(`engine at ${this.address.text} is reachable`, {api: this.lastPing?.apiVersion, module: 'engine', server})
      this.onStatus(`Engine ${this.address.text} reachable`)
    }

    this.schedule(HEALTH_INTERVAL_MS)
  }

  private schedule(ms: number): void {
    if (this.closed) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.probe(), ms)
    // Health checks must never keep the daemon alive.
    this.timer.unref()
  }

  /**
   * A reload chose another upstream: requests in flight finish here, new ones go there. Sockets
   * are not kept once their request is done.
   */
  retire(): void {
    this.stopProbing()
    const agent = this.agentOnce as (http.Agent & {keepAlive: boolean}) | undefined
    if (agent) {
      agent.keepAlive = false
      for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) s.destroy()
    }

    this.keepConns = false
    for (const conn of this.free.splice(0)) conn.socket.destroy()
  }

  stopProbing(): void {
    this.closed = true
    clearTimeout(this.timer)
  }

  /** Shutdown: every socket to the upstream closes. */
  close(): void {
    this.stopProbing()
    this.agentOnce?.destroy()
    this.keepConns = false
    for (const conn of [...this.free.splice(0), ...this.busy]) conn.socket.destroy()
  }
}
