// The forwarding fast path: a request that needs nothing but relaying (no body rewritten by
// authorization, no response filter) goes up as its head, serialised once from what node:http
// parsed (the very headers the middleware and authorization saw), on a pooled raw connection;
// the answer comes down as the bytes that came up, behind its head as received when nothing in it
// is hop-by-hop (framing.ts's `clean`), else a head rebuilt without hop-by-hop fields. Only the
// answer's head and framing are parsed (framing.ts), to know where it ends so that both
// connections stay reusable. node:http's own client is not involved on this path.
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Socket} from 'node:net'

import {writeError} from '../../../api/respond.js'
import type {ForwardTarget} from '../../../api/types.js'
import {type ParsedHead, type ResponseHead, ResponseReader} from './framing.js'
import {endToEndHeaders, METHODS_WITHOUT_BODY} from './headers.js'

/** Where the fast path gets its upstream connections (Upstream implements it). */
export interface ConnSource {
  /** A connected socket: a free one when there is one (`reused`), else a new connection. */
  acquire(fresh: boolean, cb: (error: Error | undefined, conn?: Conn) => void): void
  /** Reports an upstream failure (marks it down when it could not be reached). */
  failed(error: unknown): void
  unreachable(error: unknown): string
}

/** node:http's private response fields the raw path sets so that its server stays in step. */
type RawResponse = ServerResponse & {
  _header: string | null
  _headerSent: boolean
  _last: boolean
  bytes?: number
  pending?: unknown[]
}

/**
 * True when the request can take the fast path: HTTP/1.1 (the answer may be chunked), no chunked
 * body to re-frame, a response with nothing set on it yet, and its socket free to write on (not
 * behind a pipelined answer).
 */
export function fastEligible(req: IncomingMessage, res: ServerResponse): boolean {
  const r = res as RawResponse
  const socket = res.socket as (Socket & {_httpMessage?: unknown}) | null
  return (
    req.httpVersionMajor === 1 &&
    req.httpVersionMinor === 1 &&
    req.headers['transfer-encoding'] === undefined &&
    socket !== null &&
    socket._httpMessage === res &&
    !socket.destroyed &&
    r._header === null &&
    !r._headerSent &&
    (r.pending === undefined || r.pending.length === 0) &&
    res.getHeaderNames().length === 0
  )
}

/**
 * The request head for the upstream: the request line as received and the end-to-end headers of
 * rawHeaders, names and order unchanged (the bytes authorization decided on, less hop-by-hop).
 */
export function requestHead(method: string, uri: string, raw: readonly string[], addLength: boolean): string {
  const headers = endToEndHeaders(raw)
  let head = `${method} ${uri} HTTP/1.1\r\n`
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
  // Go clients send `Content-Length: 0` on a POST without a body; say the same as Go.
  if (addLength) head += 'Content-Length: 0\r\n'
  return head + '\r\n'
}

/** The client's response head: the upstream's status and end-to-end headers, and our framing. */
export function responseHead(head: ParsedHead, close: boolean): string {
  const headers = endToEndHeaders(head.rawHeaders)
  let text = `HTTP/1.1 ${head.status} ${head.reason}\r\n`
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`
  if (head.framing.kind === 'chunked') text += 'Transfer-Encoding: chunked\r\n'
  if (close) text += 'Connection: close\r\n'
  return text + '\r\n'
}

/** A clean head (framing.ts) as received, `Connection: close` added: for a client whose connection closes after it. */
export function closingHead(raw: Buffer): string {
  return raw.toString('latin1', 0, raw.length - 2) + 'Connection: close\r\n\r\n'
}

/**
 * The answer's head for the client: undefined when its head goes down as received (a clean head,
 * framing.ts: it then means what the rebuild would say), else the text to write, with
 * `Connection: close` when the client's connection closes after it.
 */
export function clientHead(head: ResponseHead, close: boolean): string | undefined {
  if (!head.clean) return responseHead(head, close)
  return close ? closingHead(head.raw) : undefined
}

/**
 * Writes the answer's head (`text`, or `raw` as received when text is undefined) and the body bytes
 * that came with it: one write when they lie side by side. False when the client's buffer is full.
 */
export function writeStart(client: Socket, text: string | undefined, raw: Buffer, body: Buffer): boolean {
  if (text === undefined) {
    if (body.length === 0) return client.write(raw)
    if (body.buffer === raw.buffer && body.byteOffset === raw.byteOffset + raw.length) return client.write(Buffer.from(raw.buffer, raw.byteOffset, raw.length + body.length))
  } else if (body.length === 0) return client.write(text, 'latin1')
  else if (body.length < 16384) return client.write(Buffer.concat([Buffer.from(text, 'latin1'), body]))
  client.cork()
  if (text === undefined) client.write(raw)
  else client.write(text, 'latin1')
  const ok = client.write(body)
  client.uncork()
  return ok
}

/** What a pooled connection's events go to while it carries requests (one Exchange, or a front relay). */
export interface ConnUser {
  onData(chunk: Buffer): void
  onEnd(): void
  onClose(): void
  onError(error: Error): void
  onUpDrain(): void
}

/** A pooled upstream connection: its listeners are installed once and call the current exchange. */
export class Conn {
  exchange?: ConnUser
  /** Requests it has carried (0: freshly connected). */
  uses = 0

  constructor(
    readonly socket: Socket,
    private readonly release: (conn: Conn, reusable: boolean) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.exchange) this.exchange.onData(chunk)
      // Bytes while idle: the upstream is out of step; never reuse this connection.
      else socket.destroy()
    })
    socket.on('end', () => this.exchange?.onEnd())
    socket.on('close', () => {
      if (this.exchange) this.exchange.onClose()
      else release(this, false)
    })
    socket.on('error', (error) => this.exchange?.onError(error))
    socket.on('drain', () => this.exchange?.onUpDrain())
  }

  /** The exchange is over: back to the pool if it can carry another request, else closed. */
  done(reusable: boolean): void {
    this.exchange = undefined
    reusable &&= !this.socket.destroyed
    this.release(this, reusable)
    if (!reusable) this.socket.destroy()
  }
}

/** One request and its answer on one upstream connection. */
class Exchange {
  private readonly reader: ResponseReader
  private readonly client: Socket
  private conn?: Conn
  private sentHead = false
  private gotBytes = false
  private bodySent: boolean
  private finished = false
  private retried = false
  private paused = false

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: RawResponse,
    private readonly target: ForwardTarget,
    private readonly source: ConnSource,
    private readonly head: string,
    private readonly bodyLength: number,
  ) {
    this.reader = new ResponseReader(target.method === 'HEAD')
    this.client = res.socket as Socket
    this.bodySent = bodyLength === 0
    res.once('close', () => {
      // The client went away before its answer was complete: the upstream request stops too.
      if (!this.finished) this.abort()
    })
    if (!this.bodySent) req.on('error', () => this.abort())
  }

  start(fresh: boolean): void {
    this.source.acquire(fresh, (error, conn) => {
      if (this.finished) {
        conn?.done(true)
        return
      }

      if (error || !conn) return this.failBefore(error ?? new Error('no connection'))
      this.conn = conn
      conn.exchange = this
      conn.uses++
      conn.socket.write(this.head, 'latin1')
      if (!this.bodySent) this.sendBody()
    })
  }

  /** A sized body, relayed as node:http's parser delivers it (it counted the bytes). */
  private sendBody(): void {
    const up = this.conn!.socket
    this.req.on('data', (chunk: Buffer) => {
      if (this.finished || up.destroyed) return
      if (!up.write(chunk)) {
        this.paused = true
        this.req.pause()
      }
    })
    this.req.once('end', () => {
      this.bodySent = true
    })
  }

  onUpDrain(): void {
    if (this.paused) {
      this.paused = false
      this.req.resume()
    }
  }

  onData(chunk: Buffer): void {
    this.gotBytes = true
    let body: Buffer
    try {
      body = this.reader.feed(chunk)
    } catch (error) {
      return this.upstreamBroke(error)
    }

    const head = this.reader.head
    if (!head) return
    const res = this.res
    if (!this.sentHead) {
      this.sentHead = true
      // The client's connection closes after an answer framed by the close, or when it asked.
      const close = head.framing.kind === 'close' || !res.shouldKeepAlive
      const text = clientHead(head, close)
      // node:http's server sees its response as written: end() adds nothing to the bytes below.
      res.statusCode = head.status
      res.statusMessage = head.reason
      res._header = text ?? head.raw.toString('latin1')
      res._headerSent = true
      res._last = close
      res.bytes = 0
      writeStart(this.client, text, head.raw, body)
    } else if (body.length > 0 && !this.client.write(body)) {
      // The client reads slower than the upstream answers: wait for it.
      const up = this.conn!.socket
      up.pause()
      this.client.once('drain', () => up.resume())
    }

    res.bytes = this.reader.payload
    if (this.reader.done) this.complete()
  }

  private complete(): void {
    if (this.finished) return
    this.finished = true
    const conn = this.conn!
    this.conn = undefined
    conn.done(this.bodySent && this.reader.head!.keepAlive && this.reader.extra === undefined)
    // A body the upstream did not wait for is not relayed further, but drained (the next request
    // on the client's connection follows it).
    if (!this.bodySent) this.req.resume()
    this.res.end()
  }

  onEnd(): void {
    if (this.reader.end()) this.complete()
    else this.upstreamBroke(Object.assign(new Error('the engine closed the connection'), {code: 'ECONNRESET'}))
  }

  onClose(): void {
    if (!this.finished) this.onEnd()
  }

  onError(error: Error): void {
    this.upstreamBroke(error)
  }

  private upstreamBroke(error: unknown): void {
    if (this.finished) return
    const conn = this.conn
    this.conn = undefined
    if (conn) {
      conn.exchange = undefined
      conn.socket.destroy()
    }

    // A kept-alive connection the upstream closed just before this request arrived: try once on a
    // new one (only without a body: its bytes may have gone up already).
    if (!this.gotBytes && conn && conn.uses > 1 && this.bodyLength === 0 && !this.retried) {
      this.retried = true
      this.start(true)
      return
    }

    if (this.sentHead) {
      // The upstream went away mid-answer: the client's answer ends the same way (not cleanly).
      this.finished = true
      this.res.destroy()
      return
    }

    this.failBefore(error)
  }

  private failBefore(error: unknown): void {
    this.finished = true
    this.source.failed(error)
    const res = this.res
    if (res.headersSent || res.destroyed) res.destroy()
    else writeError(res, 502, this.source.unreachable(error), this.target.urlVersion)
  }

  private abort(): void {
    if (this.finished) return
    this.finished = true
    const conn = this.conn
    this.conn = undefined
    if (conn) {
      conn.exchange = undefined
      conn.socket.destroy()
    }
  }
}

/** Forwards one request on the fast path (the caller checked fastEligible). */
export function forwardFast(req: IncomingMessage, res: ServerResponse, target: ForwardTarget, source: ConnSource): void {
  const length = req.headers['content-length']
  const bodyLength = length === undefined ? 0 : Number(length)
  const addLength = length === undefined && !METHODS_WITHOUT_BODY.has(target.method)
  const head = requestHead(target.method, target.uri, req.rawHeaders, addLength)
  new Exchange(req, res as RawResponse, target, source, head, bodyLength).start(false)
}
