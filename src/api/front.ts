// The connection front: what the API server does with a plain (unix, tcp, systemd fd) connection
// before node:http sees it. It reads request heads itself and answers the hottest request,
// `GET`/`HEAD /_ping`, from the pre-built head of the ping route in one write, without node:http's
// IncomingMessage/ServerResponse machinery. A read holding anything else (another request, a head
// it does not fully understand, half a head) ends its part: the connection goes to node:http for
// the rest of its life, that read first (`unshift`), so node:http parses, refuses, times out and
// answers everything it would have seen anyway, with the same text.
//
// A head is taken only when node's own parser (llhttp, with the server's strictness: no lenient
// flags) accepts exactly the bytes up to the first empty line as one complete, bodiless HTTP/1.1
// keep-alive request, so its verdict on those bytes is node:http's. The middleware list's work for
// /_ping is done identically (the version middleware's headers, the route's), and the front steps
// aside whenever the list could do more: a plugin's middleware, an observer, an authorization plugin,
// debug logging, a plugin's own /_ping route, a server shutting down. DOCKERD_FRONT=0 turns it off.
import type http from 'node:http'
import {createRequire} from 'node:module'
import type {Socket} from 'node:net'

import {debugEnabled, type Pipeline, serverHeaderOf, versionHeaders} from './pipeline.js'
import {pingBlock, pingHandler} from './routes/system.js'

/** node's llhttp binding (`_http_common`), the parser node:http's server uses. */
interface Parser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void
  execute(data: Buffer): number | Error
  [key: number]: unknown
}

interface ParserModule {
  HTTPParser: {new (): Parser; REQUEST: number; kOnHeaders: number; kOnHeadersComplete: number; kOnBody: number; kOnMessageComplete: number; kLenientNone: number}
  methods: string[]
}

/** What the front needs of its server. */
export interface FrontHost {
  server: http.Server
  pipeline: Pipeline
  sockets: Set<Socket>
  keepAliveTimeout: number
  /** A connection that sends no request head within this is closed, as node:http closes it. */
  headersTimeout: number
  maxHeaderSize: number
  /** The server is shutting down: requests go to node:http (which answers with `Connection: close`). */
  closing(): boolean
}

const CRLFCRLF = Buffer.from('\r\n\r\n')
// A ping's head is a few dozen bytes; anything longer is left to node:http (and its limits).
const MAX_HEAD = 8192
// Request headers that change how a request is framed or answered: node:http's business.
const FRAMING = new Set(['connection', 'content-length', 'transfer-encoding', 'expect', 'upgrade'])

const held = new WeakSet<Socket>()

/** The socket is held by a front (between requests it answered: never mid-answer). */
export function frontHeld(socket: Socket): boolean {
  return held.has(socket)
}

/** Whether the front is on for this process (DOCKERD_FRONT=0: off, for comparison). */
export function frontEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DOCKERD_FRONT !== '0'
}

/** The head that llhttp parsed (set by its callbacks during one execute()). */
interface Parsed {
  complete: number
  overflow: boolean
  major: number
  minor: number
  headers: string[]
  method: number
  url: string
  upgrade: boolean
  keepAlive: boolean
}

export class Front {
  private readonly parser: Parser
  private readonly http: ParserModule
  private readonly parsed: Parsed = {complete: 0, overflow: false, major: 0, minor: 0, headers: [], method: 0, url: '', upgrade: false, keepAlive: false}
  private readonly serverHeader: string
  /** The version middleware's headers of the last answer. */
  private pending: string[] = []
  /** The last answer written: its block, its Date second and the two byte strings. */
  private answer = {block: '', second: -1, get: Buffer.alloc(0), head: Buffer.alloc(0)}

  constructor(private readonly host: FrontHost) {
    this.http = createRequire(import.meta.url)('_http_common') as ParserModule
    this.parser = new this.http.HTTPParser()
    this.reset()
    this.serverHeader = serverHeaderOf(host.pipeline.api)
  }

  private reset(): void {
    const {HTTPParser} = this.http
    const p = this.parser
    p.initialize(HTTPParser.REQUEST, {}, this.host.maxHeaderSize, HTTPParser.kLenientNone)
    const parsed = this.parsed
    // More than 32 header lines come in parts: not a ping the front answers.
    p[HTTPParser.kOnHeaders] = () => {
      parsed.overflow = true
    }
    p[HTTPParser.kOnHeadersComplete] = (major: number, minor: number, headers: string[], method: number, url: string, _s: unknown, _m: unknown, upgrade: boolean, keepAlive: boolean) => {
      parsed.major = major
      parsed.minor = minor
      parsed.headers = headers
      parsed.method = method
      parsed.url = url
      parsed.upgrade = upgrade
      parsed.keepAlive = keepAlive
      return 0
    }
    p[HTTPParser.kOnBody] = () => {
      parsed.overflow = true
    }
    p[HTTPParser.kOnMessageComplete] = () => {
      parsed.complete++
    }
  }

  /** How long an idle kept-alive connection stays open. */
  get keepAlive(): number {
    return this.host.keepAliveTimeout
  }

  /** Takes a connection the listener accepted. */
  accept(socket: Socket): void {
    const {sockets} = this.host
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    held.add(socket)
    const conn = new FrontConn(this, socket)
    socket.on('data', conn.onData)
    socket.on('end', conn.onEnd)
    socket.on('error', conn.onError)
    socket.on('timeout', conn.onTimeout)
    // node:http counts the first head's time from the connection (a silent one is closed, no reply).
    socket.setTimeout(this.host.headersTimeout)
  }

  /** Gives the connection to node:http, `rest` (the unanswered bytes) first. */
  handOver(conn: FrontConn, rest: Buffer | undefined): void {
    const {socket} = conn
    held.delete(socket)
    socket.off('data', conn.onData)
    socket.off('end', conn.onEnd)
    socket.off('error', conn.onError)
    socket.off('timeout', conn.onTimeout)
    socket.setTimeout(0)
    if (rest && rest.length > 0) socket.unshift(rest)
    this.host.server.emit('connection', socket)
  }

  /** The front may answer /_ping itself: nothing in the list would do more than the route. */
  private open(): boolean {
    const {pipeline, closing} = this.host
    const api = pipeline.api
    return (
      !closing() &&
      pipeline.builtinOnly &&
      !pipeline.timed &&
      api.observe === undefined &&
      (api.authorize === undefined || api.authorizing?.() === false) &&
      !debugEnabled(api)
    )
  }

  /**
   * The answer to the request whose head is `head` (up to and with its empty line) when it is a ping
   * the front serves; undefined when it is not.
   */
  answerTo(head: Buffer): Buffer | undefined {
    const parsed = this.parsed
    parsed.complete = 0
    parsed.overflow = false
    const n = this.parser.execute(head)
    if (
      n !== head.length ||
      parsed.complete !== 1 ||
      parsed.overflow ||
      parsed.url !== '/_ping' ||
      parsed.major !== 1 ||
      parsed.minor !== 1 ||
      !parsed.keepAlive ||
      parsed.upgrade
    ) {
      // Whatever state the parser is in (an error, a closed connection), the next head starts anew.
      this.reset()
      return undefined
    }

    const method = this.http.methods[parsed.method]
    if ((method !== 'GET' && method !== 'HEAD') || !oneHostNoFraming(parsed.headers) || !this.open()) return undefined
    // A plugin may have put its own /_ping route in front of the daemon's.
    if (this.host.pipeline.router.match(method, '/_ping')?.route.handler !== pingHandler) return undefined
    return this.bytes(method === 'HEAD')
  }

  /** The whole answer: the ping route's head (rebuilt when its inputs or the second change) and body. */
  private bytes(head: boolean): Buffer | undefined {
    const api = this.host.pipeline.api
    // The version middleware's headers, made again only when one of its values changed.
    const max = api.maxApiVersion
    const experimental = api.experimental()
    let pending = this.pending
    if (pending.length === 0 || pending[3] !== max || (pending[7] === 'true') !== experimental) {
      pending = []
      versionHeaders(pending, api, this.serverHeader, true)
      this.pending = pending
    }

    const block = pingBlock(api, pending)
    if (block === undefined) return undefined
    const now = Date.now()
    const second = Math.floor(now / 1000)
    const a = this.answer
    if (a.block !== block || a.second !== second) {
      // As node:http's _storeHeader writes it after the route's lines: Content-Length, Date,
      // Connection, Keep-Alive (only with a keep-alive timeout).
      const timeout = Math.floor(this.host.keepAliveTimeout / 1000)
      const tail = `Date: ${new Date(second * 1000).toUTCString()}\r\nConnection: keep-alive\r\n${this.host.keepAliveTimeout ? `Keep-Alive: timeout=${timeout}\r\n` : ''}\r\n`
      this.answer = {
        block,
        second,
        get: Buffer.from(`HTTP/1.1 200 OK\r\n${block}Content-Length: 2\r\n${tail}OK`, 'latin1'),
        head: Buffer.from(`HTTP/1.1 200 OK\r\n${block}Content-Length: 0\r\n${tail}`, 'latin1'),
      }
    }

    return head ? this.answer.head : this.answer.get
  }
}

/** Exactly one Host header and none that frames the request or the connection otherwise. */
function oneHostNoFraming(headers: string[]): boolean {
  let hosts = 0
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!.toLowerCase()
    if (name === 'host') hosts++
    else if (FRAMING.has(name)) return false
  }

  return hosts === 1
}

/** One connection while the front holds it. */
class FrontConn {
  constructor(
    private readonly front: Front,
    readonly socket: Socket,
  ) {}

  onData = (chunk: Buffer): void => {
    const {front, socket} = this
    // All or nothing per read: the front answers a read only when it is nothing but whole pings, so
    // node:http, when it takes over, parses exactly the reads it would have parsed (with nothing of
    // its own in flight, as after any answered ping).
    let answer: Buffer | undefined
    let more: Buffer[] | undefined
    let at = 0
    while (at < chunk.length) {
      const end = chunk.indexOf(CRLFCRLF, at)
      const bytes = end < 0 || end - at > MAX_HEAD ? undefined : front.answerTo(at === 0 && end + 4 === chunk.length ? chunk : chunk.subarray(at, end + 4))
      if (!bytes) {
        front.handOver(this, chunk)
        return
      }

      if (answer === undefined) answer = bytes
      else (more ??= [answer]).push(bytes)
      at = end + 4
    }

    if (!socket.writable) return
    // A client that sends pings and does not read its answers is not read further until it does,
    // as node:http stops reading while its answers wait: the kernel's buffers push back on it.
    if (!socket.write(more ? Buffer.concat(more) : answer!)) {
      socket.pause()
      socket.once('drain', this.onDrain)
    }
    // As node:http after an answer: an idle kept-alive connection closes after the timeout.
    socket.setTimeout(front.keepAlive)
  }

  onDrain = (): void => {
    this.socket.resume()
  }

  onEnd = (): void => {
    // Every answer was written already: the connection ends as node:http ends it.
    this.socket.end()
  }

  onError = (): void => {
    this.socket.destroy()
  }

  onTimeout = (): void => {
    this.socket.destroy()
  }
}
