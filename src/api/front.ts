// The connection front: what the API server does with a plain (unix, tcp, systemd fd) connection
// before node:http sees it. It reads request heads itself and answers the hottest request,
// `GET`/`HEAD /_ping`, from the pre-built head of the ping route in one write, without node:http's
// IncomingMessage/ServerResponse machinery. With an engine configured, a read holding one plain
// GET/HEAD for the engine is relayed as received on the connection's own upstream connection (the
// engine plugin's relay.ts); what follows it waits, unread, until its answer is complete. A read
// holding anything else (another request, a head it does not fully understand, half a head) ends
// its part: the connection goes to node:http for the rest of its life, that read first
// (`unshift`), so node:http parses, refuses, times out and answers everything it would have seen
// anyway, with the same text.
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
import type {EngineRelay, RelayOutcome} from './types.js'

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
// Hop-by-hop fields besides those (headers.ts's list): a request carrying one is not relayed as
// it came, since the fast path would drop them on the way up.
const HOP_BY_HOP = new Set(['keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer'])

/** The connections fronts hold, by socket (between requests they answered, or relaying an engine's answer). */
const held = new WeakMap<Socket, FrontConn>()

/** The socket is held by a front. */
export function frontHeld(socket: Socket): boolean {
  return held.has(socket)
}

/** A front holds the socket and an engine's answer is being relayed on it. */
export function frontRelaying(socket: Socket): boolean {
  return held.get(socket)?.relaying === true
}

/**
 * What the front does with a request head that is not a ping it answers: relay it to the engine
 * (a bit set: GET or HEAD, and whether its `Connection: keep-alive` line stays behind).
 */
const RELAY = 1
const RELAY_HEAD = 2
const RELAY_STRIP = 4
type Take = Buffer | number | undefined

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
    const conn = new FrontConn(this, socket)
    held.set(socket, conn)
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
    conn.relay?.release()
    conn.relay = undefined
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
   * What the front does with the request whose head is `head` (up to and with its empty line): the
   * answer when it is a ping the front serves, the RELAY bits when it is a plain request for the
   * engine, undefined when node:http takes it.
   */
  take(head: Buffer): Take {
    const parsed = this.parsed
    parsed.complete = 0
    parsed.overflow = false
    const n = this.parser.execute(head)
    if (
      n !== head.length ||
      parsed.complete !== 1 ||
      parsed.overflow ||
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
    if (method !== 'GET' && method !== 'HEAD') return undefined
    const fields = headerKind(parsed.headers)
    if (fields === NOT_PLAIN || !this.open()) return undefined
    const {router} = this.host.pipeline
    if (parsed.url === '/_ping') {
      // A plugin may have put its own /_ping route in front of the daemon's.
      if (router.match(method, '/_ping')?.route.handler !== pingHandler) return undefined
      return this.bytes(method === 'HEAD')
    }

    // To the engine as it came: only a path the route resolution leaves as it is (no escapes to
    // decode, nothing to clean or redirect) that none of the daemon's routes serves.
    if (fields < RELAYABLE || this.host.pipeline.api.engine?.relay === undefined) return undefined
    const url = parsed.url
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    if (path.charCodeAt(0) !== 0x2f || path.includes('%') || path.includes('//') || path.includes('/.') || router.match(method, path)) return undefined
    return RELAY | (method === 'HEAD' ? RELAY_HEAD : 0) | (fields === RELAYABLE_KEEP_ALIVE ? RELAY_STRIP : 0)
  }

  /** A relay to the engine for this connection (a new one after a reload changed the engine). */
  relayFor(conn: FrontConn): EngineRelay | undefined {
    let relay = conn.relay
    if (relay?.current) return relay
    relay?.release()
    relay = this.host.pipeline.api.engine?.relay?.(conn.socket)
    conn.relay = relay
    return relay
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

const NOT_PLAIN = 0
const PLAIN = 1
const RELAYABLE = 2
const RELAYABLE_KEEP_ALIVE = 3

/**
 * PLAIN: exactly one Host header and none that frames the request or the connection otherwise (one
 * `Connection: keep-alive`, what Node's and Python's clients send, says only what HTTP/1.1 means
 * anyway); RELAYABLE: that, and no hop-by-hop field either; RELAYABLE_KEEP_ALIVE: that, once its
 * `Connection: keep-alive` stays behind (as the fast path drops it); NOT_PLAIN: none of these.
 */
function headerKind(headers: string[]): number {
  let hosts = 0
  let hop = false
  let keepAlive = false
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!.toLowerCase()
    if (name === 'host') hosts++
    else if (name === 'connection' && !keepAlive && headers[i + 1]!.toLowerCase() === 'keep-alive') keepAlive = true
    else if (FRAMING.has(name)) return NOT_PLAIN
    else if (HOP_BY_HOP.has(name)) hop = true
  }

  return hosts !== 1 ? NOT_PLAIN : hop ? PLAIN : keepAlive ? RELAYABLE_KEEP_ALIVE : RELAYABLE
}

const CONNECTION = Buffer.from('connection:', 'latin1')

/** The head without its `Connection` line (llhttp accepted it: CRLF line ends, one such line). */
export function withoutConnectionLine(head: Buffer): Buffer {
  let at = head.indexOf(0x0a) + 1
  while (at > 0 && at < head.length) {
    let same = at + CONNECTION.length <= head.length
    for (let i = 0; same && i < CONNECTION.length; i++) same = (head[at + i]! | 0x20) === CONNECTION[i]
    const next = head.indexOf(0x0a, at) + 1
    if (same) return Buffer.concat([head.subarray(0, at), head.subarray(next)])
    at = next
  }

  return head
}

/** One connection while the front holds it. */
class FrontConn {
  /** Its relay to the engine, made on its first relayed request. */
  relay?: EngineRelay
  /** The request being relayed (its head, handed to node:http should it not reach the engine). */
  private inFlight?: Buffer
  /** Bytes that came while an answer was relayed (a pipelining client): read after it. */
  private stash?: Buffer
  private ended = false
  private watching = false
  /** The idle timer is the keep-alive timeout (it was the headers timeout until a first answer). */
  private keptAlive = false

  constructor(
    private readonly front: Front,
    readonly socket: Socket,
  ) {}

  /** An engine's answer is being relayed. */
  get relaying(): boolean {
    return this.inFlight !== undefined
  }

  onData = (chunk: Buffer): void => {
    const {front, socket} = this
    if (this.inFlight) {
      // Pipelined behind a relayed request: it waits, unread, until that answer is complete.
      this.stash = this.stash ? Buffer.concat([this.stash, chunk]) : chunk
      socket.pause()
      return
    }

    // All or nothing per read: the front answers a read only when it is nothing but whole pings, or
    // relays it when it is one whole plain request, so node:http, when it takes over, parses exactly
    // the reads it would have parsed (with nothing of its own in flight, as after any answer).
    let answer: Buffer | undefined
    let more: Buffer[] | undefined
    let at = 0
    while (at < chunk.length) {
      const end = chunk.indexOf(CRLFCRLF, at)
      const whole = at === 0 && end + 4 === chunk.length
      const take = end < 0 || end - at > MAX_HEAD ? undefined : front.take(whole ? chunk : chunk.subarray(at, end + 4))
      if (take === undefined || (typeof take === 'number' && !(whole && this.relayOne(chunk, take)))) {
        front.handOver(this, chunk)
        return
      }

      if (typeof take === 'number') return
      if (answer === undefined) answer = take
      else (more ??= [answer]).push(take)
      at = end + 4
    }

    if (!socket.writable) return
    // A client that sends pings and does not read its answers is not read further until it does,
    // as node:http stops reading while its answers wait: the kernel's buffers push back on it.
    if (!socket.write(more ? Buffer.concat(more) : answer!)) {
      socket.pause()
      socket.once('drain', this.onDrain)
    }
    // As node:http after an answer: an idle kept-alive connection closes after the timeout (set
    // once: every write restarts it).
    if (!this.keptAlive) {
      this.keptAlive = true
      socket.setTimeout(front.keepAlive)
    }
  }

  /** Relays one request to the engine (`how`: the RELAY bits); false when there is no relay to take it. */
  private relayOne(head: Buffer, how: number): boolean {
    const relay = this.front.relayFor(this)
    if (!relay) return false
    const {socket} = this
    if (!this.watching) {
      this.watching = true
      socket.once('close', this.onClose)
    }

    this.inFlight = head
    relay.send(how & RELAY_STRIP ? withoutConnectionLine(head) : head, (how & RELAY_HEAD) !== 0, this.relayed)
    return true
  }

  private readonly relayed = (outcome: RelayOutcome): void => {
    const {socket} = this
    const head = this.inFlight!
    this.inFlight = undefined
    if (socket.destroyed || outcome === 'broken') return
    if (outcome === 'unsent') {
      // Nothing reached the client: node:http takes the request (and answers 502 if the engine
      // still cannot be reached), with whatever followed it.
      const rest = this.stash
      this.stash = undefined
      socket.resume()
      this.front.handOver(this, rest ? Buffer.concat([head, rest]) : head)
      return
    }

    if (outcome === 'closed' || this.ended) {
      socket.end()
      return
    }

    // The answer's last write restarted the idle timer: it needs setting only after the first request.
    if (!this.keptAlive) {
      this.keptAlive = true
      socket.setTimeout(this.front.keepAlive)
    }

    const rest = this.stash
    if (rest) {
      this.stash = undefined
      socket.resume()
      this.onData(rest)
    }
  }

  onDrain = (): void => {
    this.socket.resume()
  }

  onEnd = (): void => {
    // Every answer was written already (or is being relayed: the connection ends after it), as
    // node:http ends it.
    if (this.inFlight) this.ended = true
    else this.socket.end()
  }

  private readonly onClose = (): void => {
    this.relay?.release()
    this.relay = undefined
  }

  onError = (): void => {
    this.socket.destroy()
  }

  onTimeout = (): void => {
    // No idle timeout while an engine's answer streams (`logs -f` may be quiet for long): node:http
    // has none on a response either. The socket's next read or write starts the timer again.
    if (!this.inFlight) this.socket.destroy()
  }
}
