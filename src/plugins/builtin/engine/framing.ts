// Just enough of an HTTP/1.1 response parser for the forwarding fast path: the head (status,
// headers) and where the answer ends (Content-Length, the chunked terminator, or the end of the
// connection), so that the body goes down as the bytes that came up and the upstream connection
// can be reused. Strict where a lenient reading could let two parties disagree on the framing.

import {DROPPED_FIELDS} from './headers.js'

/** How the answer's body is delimited (RFC 9112 §6.3). */
export type Framing = {kind: 'none'} | {kind: 'length'; length: number} | {kind: 'chunked'} | {kind: 'close'}

/** What parseHead reads from a head's text. */
export interface ParsedHead {
  readonly status: number
  readonly reason: string
  /** `HTTP/1.0` answers close the connection unless they say keep-alive. */
  readonly minor: 0 | 1
  /** `[name, value, ...]` as received (values trimmed). */
  readonly rawHeaders: string[]
  readonly framing: Framing
  /** The upstream connection can carry another request after this answer. */
  readonly keepAlive: boolean
}

/** The head of the answer ResponseReader reads (the final one, after any 1xx). */
export interface ResponseHead extends ParsedHead {
  /** The head's bytes as received: status line through the final CRLF CRLF. */
  readonly raw: Buffer
  /**
   * `raw` may go to a keep-alive HTTP/1.1 client unchanged: it means what `responseHead(head,
   * false)` would write. That is: an `HTTP/1.1` status line with a status of three digits from
   * 200 (the rebuild writes the number, so `042` would become `42`); no field endToEndHeaders drops
   * (hop-by-hop, Expect; a Connection field makes it unclean, so no field is named by one), except
   * one `Transfer-Encoding: chunked` (any case) on an answer framed by it, the field the rebuild
   * writes back; framing not by the close (the rebuild would add `Connection: close`); no 1xx
   * answer before it. Optional whitespace around values and a missing reason differ from the
   * rebuild only in bytes, not in meaning.
   */
  readonly clean: boolean
}

/** A response the fast path refuses: the connection is not reused and the client gets 502 (or a cut answer). */
export class FramingError extends Error {
  // `HPE_` like node's parser, so the 502 says "its answer is not HTTP".
  readonly code = 'HPE_INVALID_RESPONSE'
}

/** The largest response head accepted (node's default limit for a whole head is 16 KiB). */
export const MAX_HEAD_BYTES = 64 << 10
/** Hex digits of a chunk size: 13 is past 2^52, anything longer is not a real chunk. */
const MAX_SIZE_DIGITS = 13
const MAX_CHUNK_LINE = 4096

// tchar (RFC 9110 §5.6.2), as a table: a regex per header name costs more than the rest of its line.
const TCHAR = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1

function isToken(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c > 127 || TCHAR[c] === 0) return false
  }

  return end > 0
}

const STATUS_LINE = /^HTTP\/1\.([01]) ([0-9]{3})(?: ([^\r\n]*))?$/
const LENGTH = /^[0-9]{1,15}$/

const enum Chunk {
  Size,
  Ext,
  SizeLF,
  Data,
  DataCR,
  DataLF,
  Trailer,
  TrailerLF,
}

/**
 * Reads one answer from the bytes of an upstream connection, fed as they arrive. `feed` returns the
 * part of the chunk that belongs to the body, as received (chunk framing included), and sets
 * `head` once the head is complete and `done` once the answer is; bytes after its end are `extra`.
 */
export class ResponseReader {
  head?: ResponseHead
  done = false
  /** Bytes past the end of the answer (an upstream that answers more than asked). */
  extra?: Buffer
  /** Body bytes without chunk framing (what observers count). */
  payload = 0

  private pending?: Buffer
  private remaining = 0
  private state: Chunk = Chunk.Size
  private size = 0
  private digits = 0
  private line = 0
  private trailerEmpty = true
  private skipped = false

  /** `noBody`: the request was HEAD, so no answer has a body whatever its headers say. */
  constructor(private noBody = false) {}

  /**
   * Ready for the next answer on the same connection, as if new (`noBody` as in the constructor).
   * Everything of the last answer is forgotten, `extra` too: a caller that keeps those bytes
   * takes them before and feeds them after.
   */
  reset(noBody: boolean): void {
    this.noBody = noBody
    this.head = undefined
    this.done = false
    this.extra = undefined
    this.payload = 0
    this.pending = undefined
    this.remaining = 0
    this.state = Chunk.Size
    this.size = 0
    this.digits = 0
    this.line = 0
    this.trailerEmpty = true
    this.skipped = false
  }

  feed(chunk: Buffer): Buffer {
    if (this.done) {
      if (chunk.length > 0) this.extra = this.extra ? Buffer.concat([this.extra, chunk]) : chunk
      return EMPTY
    }

    let at = 0
    while (!this.head) {
      let buf = at === 0 ? chunk : chunk.subarray(at)
      if (this.pending) {
        buf = Buffer.concat([this.pending, buf])
        this.pending = undefined
      }

      if (buf.length > 0 && !startsLikeHttp(buf)) throw new FramingError('not an HTTP response')
      const end = buf.indexOf(CRLFCRLF)
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) throw new FramingError('response head too large')
        this.pending = buf
        return EMPTY
      }

      if (end > MAX_HEAD_BYTES) throw new FramingError('response head too large')
      // Simplest: a head that followed a 1xx is rebuilt, never copied.
      const head = scanHead(buf, end, this.noBody, this.skipped) ?? referenceHead(buf, end, this.noBody)
      chunk = buf
      at = end + 4
      // 1xx answers (100 Continue, 103 Early Hints) precede the real one and are not passed on.
      if (head.status >= 100 && head.status < 200) {
        if (head.status === 101) throw new FramingError('101 Switching Protocols to a request that did not ask to upgrade')
        this.skipped = true
        continue
      }

      this.head = head
      if (head.framing.kind === 'length') this.remaining = head.framing.length
      if (head.framing.kind === 'none' || (head.framing.kind === 'length' && head.framing.length === 0)) this.finish(chunk, at)
    }

    if (this.done) {
      if (at < chunk.length) this.extra = chunk.subarray(at)
      return EMPTY
    }

    if (this.head.framing.kind === 'length') {
      // The usual answer: its body (or what is left of it) and nothing else in this chunk.
      const take = Math.min(this.remaining, chunk.length - at)
      this.remaining -= take
      this.payload += take
      if (this.remaining === 0) this.finish(chunk, at + take)
      return at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take)
    }

    const body = at === 0 ? chunk : chunk.subarray(at)
    switch (this.head.framing.kind) {
      case 'chunked': {
        const used = this.scanChunked(body)
        return used === body.length ? body : body.subarray(0, used)
      }

      default:
        this.payload += body.length
        return body
    }
  }

  /** The upstream closed its side: true when that ends the answer (framed by the close). */
  end(): boolean {
    if (this.done) return true
    if (this.head?.framing.kind === 'close') {
      this.done = true
      return true
    }

    return false
  }

  private finish(buf: Buffer, at: number): void {
    this.done = true
    if (at < buf.length) this.extra = buf.subarray(at)
  }

  /** Walks chunk framing; returns how many bytes of `buf` belong to the body. */
  private scanChunked(buf: Buffer): number {
    let i = 0
    while (i < buf.length) {
      switch (this.state) {
        case Chunk.Data: {
          const take = Math.min(this.remaining, buf.length - i)
          i += take
          this.remaining -= take
          this.payload += take
          if (this.remaining === 0) this.state = Chunk.DataCR
          continue
        }

        case Chunk.Size: {
          const c = buf[i]
          const v = hexValue(c)
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) throw new FramingError('chunk size too large')
            this.size = this.size * 16 + v
          } else if (this.digits === 0) {
            throw new FramingError('chunk size missing')
          } else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) {
            this.state = Chunk.Ext
            this.line = 0
          } else if (c === 0x0d) {
            this.state = Chunk.SizeLF
          } else throw new FramingError('bad chunk size')
          break
        }

        case Chunk.Ext: {
          const c = buf[i]
          if (c === 0x0d) this.state = Chunk.SizeLF
          else if (c === 0x0a || (c < 0x20 && c !== 0x09) || c === 0x7f || ++this.line > MAX_CHUNK_LINE) throw new FramingError('bad chunk extension')
          break
        }

        case Chunk.SizeLF: {
          if (buf[i] !== 0x0a) throw new FramingError('bad chunk size line')
          if (this.size === 0) {
            this.state = Chunk.Trailer
            this.line = 0
            this.trailerEmpty = true
          } else {
            this.state = Chunk.Data
            this.remaining = this.size
          }

          this.size = 0
          this.digits = 0
          break
        }

        case Chunk.DataCR: {
          if (buf[i] !== 0x0d) throw new FramingError('chunk data longer than its size')
          this.state = Chunk.DataLF
          break
        }

        case Chunk.DataLF: {
          if (buf[i] !== 0x0a) throw new FramingError('chunk data longer than its size')
          this.state = Chunk.Size
          break
        }

        case Chunk.Trailer: {
          // Trailer fields until an empty line; only CRLF line ends are accepted.
          const c = buf[i]
          if (c === 0x0d) this.state = Chunk.TrailerLF
          else if (c === 0x0a || (c < 0x20 && c !== 0x09) || c === 0x7f || ++this.line > MAX_CHUNK_LINE) throw new FramingError('bad trailer')
          else this.trailerEmpty = false
          break
        }

        case Chunk.TrailerLF: {
          if (buf[i] !== 0x0a) throw new FramingError('bad trailer')
          if (this.trailerEmpty) {
            this.finish(buf, i + 1)
            return i + 1
          }

          this.state = Chunk.Trailer
          this.trailerEmpty = true
          this.line = 0
          break
        }
      }

      i++
    }

    return i
  }
}

const EMPTY = Buffer.alloc(0)
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1')

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

const HTTP_PREFIX = Buffer.from('HTTP/1.', 'latin1')

/** `buf` starts with `HTTP/1.`, or with as much of it as it holds (a loop: compare() costs more). */
function startsLikeHttp(buf: Buffer): boolean {
  const n = Math.min(buf.length, HTTP_PREFIX.length)
  for (let k = 0; k < n; k++) if (buf[k] !== HTTP_PREFIX[k]) return false
  return true
}

/**
 * Parses a response head (without its final CRLF CRLF) into strings: the reference scanHead is
 * tested against, the source of its error messages and of rawHeaders when asked for.
 */
export function parseHead(text: string, noBody: boolean): ParsedHead {
  // CR and LF only as line ends (checked per line below), and no NUL; other controls cannot change
  // where a field or the answer ends (a full character scan of every head costs more than the rest).
  if (text.includes('\0')) throw new FramingError('NUL in the response head')
  let eol = text.indexOf('\r\n')
  const first = eol < 0 ? text : text.slice(0, eol)
  const m = STATUS_LINE.exec(first)
  if (!m) throw new FramingError('bad status line')
  const minor = m[1] === '1' ? 1 : 0
  const status = Number(m[2])
  const rawHeaders: string[] = []
  let length: string | undefined
  let te: string | undefined
  let connection: string | undefined
  while (eol >= 0) {
    const start = eol + 2
    eol = text.indexOf('\r\n', start)
    const line = eol < 0 ? text.slice(start) : text.slice(start, eol)
    // A bare CR or LF, and obs-fold: refused, as node's own parser does (RFC 9112 §5.2).
    if (line.includes('\n') || line.includes('\r')) throw new FramingError('bare LF or CR in the response head')
    const colon = line.indexOf(':')
    if (colon <= 0) throw new FramingError(line.length > 0 && (line[0] === ' ' || line[0] === '\t') ? 'obsolete line folding in the response head' : 'bad header line')
    if (!isToken(line, colon)) throw new FramingError('bad header name')
    const name = line.slice(0, colon)
    let a = colon + 1
    let b = line.length
    while (a < b && (line.charCodeAt(a) === 0x20 || line.charCodeAt(a) === 0x09)) a++
    while (b > a && (line.charCodeAt(b - 1) === 0x20 || line.charCodeAt(b - 1) === 0x09)) b--
    const value = line.slice(a, b)
    rawHeaders.push(name, value)
    const n = name.length
    if (n !== 14 && n !== 17 && n !== 10) continue
    const lower = name.toLowerCase()
    if (lower === 'content-length') {
      if (!LENGTH.test(value) || (length !== undefined && length !== value)) throw new FramingError('bad or conflicting Content-Length')
      length = value
    } else if (lower === 'transfer-encoding') {
      te = te === undefined ? value : `${te}, ${value}`
    } else if (lower === 'connection') {
      connection = connection === undefined ? value.toLowerCase() : `${connection},${value.toLowerCase()}`
    }
  }

  let framing: Framing
  if (noBody || status === 204 || status === 304 || (status >= 100 && status < 200)) framing = {kind: 'none'}
  else if (te !== undefined) {
    // Both: a smuggling vector (RFC 9112 §6.1). Only plain `chunked` is relayed.
    if (length !== undefined) throw new FramingError('both Transfer-Encoding and Content-Length')
    if (te.toLowerCase() !== 'chunked') throw new FramingError(`unsupported Transfer-Encoding ${te}`)
    framing = {kind: 'chunked'}
  } else if (length !== undefined) framing = {kind: 'length', length: Number(length)}
  else framing = {kind: 'close'}

  let keepAlive = framing.kind !== 'close' && minor === 1
  if (connection !== undefined && framing.kind !== 'close') {
    const tokens = connection.split(',').map((t) => t.trim())
    keepAlive = !tokens.includes('close') && (minor === 1 || tokens.includes('keep-alive'))
  }

  return {framing, keepAlive, minor, rawHeaders, reason: m[3] ?? '', status}
}

/** A head read by scanHead: offsets into `raw` until a string is asked for. */
class Head implements ResponseHead {
  constructor(
    readonly raw: Buffer,
    readonly status: number,
    readonly minor: 0 | 1,
    readonly framing: Framing,
    readonly keepAlive: boolean,
    readonly clean: boolean,
    /** Where the status line ends: after `HTTP/1.x NNN` comes ` reason` or this. */
    private readonly lineEnd: number,
    private headers?: string[],
  ) {}

  get reason(): string {
    return this.lineEnd > 13 ? this.raw.toString('latin1', 13, this.lineEnd) : ''
  }

  get rawHeaders(): string[] {
    // noBody: only the field lines are read again (they were accepted already).
    this.headers ??= parseHead(this.raw.toString('latin1', 0, this.raw.length - 4), true).rawHeaders
    return this.headers
  }
}

const CR = 0x0d
const LF = 0x0a
const SP = 0x20
const HT = 0x09
const NONE: Framing = Object.freeze({kind: 'none'})
const CHUNKED: Framing = Object.freeze({kind: 'chunked'})
const CLOSE: Framing = Object.freeze({kind: 'close'})
const MAX_LENGTH_DIGITS = 15

// The fields endToEndHeaders drops, by the length of their names (a head's names are compared by
// bytes, without a string per name).
const DROPPED_BY_LENGTH: string[][] = []
for (const name of DROPPED_FIELDS) (DROPPED_BY_LENGTH[name.length] ??= []).push(name)

/**
 * `buf[at, at + lower.length)` is `lower` in any ASCII case (`lower`: lower-case letters and `-`;
 * the bytes are a token or a value, so no CR passes for the `-`).
 */
function named(buf: Buffer, at: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) if ((buf[at + k] | 0x20) !== lower.charCodeAt(k)) return false
  return true
}

function dropped(buf: Buffer, at: number, length: number): boolean {
  const names = DROPPED_BY_LENGTH[length]
  if (names !== undefined) for (const name of names) if (named(buf, at, name)) return true
  return false
}

function isSpace(c: number): boolean {
  return c === SP || c === HT
}

/**
 * parseHead's verdicts read from the bytes: `buf` from the status line on, `end` where its CRLF
 * CRLF starts; `after1xx` makes it unclean. Undefined where parseHead refuses (it then says why).
 * Only Connection values become strings; names, lengths and the rest are compared as bytes.
 */
export function scanHead(buf: Buffer, end: number, noBody: boolean, after1xx = false): ResponseHead | undefined {
  // `HTTP/1.<0|1> <3 digits>`, then ` reason` (no CR, LF or NUL) or the line's end.
  if (end < 12) return undefined
  if (!startsLikeHttp(buf)) return undefined
  const minor = buf[7] - 0x30
  const d0 = buf[9] - 0x30
  const d1 = buf[10] - 0x30
  const d2 = buf[11] - 0x30
  if ((minor !== 0 && minor !== 1) || buf[8] !== SP || !(d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) return undefined
  const status = d0 * 100 + d1 * 10 + d2
  let i = 12
  let c: number
  if (i < end && buf[i] === SP) for (i++; i < end && (c = buf[i]) !== CR && c !== LF && c !== 0; ) i++
  const lineEnd = i
  let lengthAt = -1
  let lengthEnd = -1
  let length = 0
  let teFields = 0
  let teChunked = false
  let connection = false
  let close = false
  let keepAliveToken = false
  let drops = false
  // Each field line: CRLF, then a token, a colon and a value without CR, LF or NUL.
  while (i < end) {
    if (buf[i] !== CR || i + 1 >= end || buf[i + 1] !== LF) return undefined
    const s = (i += 2)
    while (i < end && TCHAR[buf[i]] === 1) i++
    if (i === s || i >= end || buf[i] !== 0x3a /* : */) return undefined
    const n = i - s
    let a = ++i
    while (i < end && (c = buf[i]) !== CR && c !== LF && c !== 0) i++
    let b = i
    while (a < b && isSpace(buf[a])) a++
    while (b > a && isSpace(buf[b - 1])) b--
    if (n === 14 && named(buf, s, 'content-length')) {
      // Digits only; a second one must say the same (as bytes: `01` and `1` conflict).
      if (b - a < 1 || b - a > MAX_LENGTH_DIGITS) return undefined
      let v = 0
      for (let k = a; k < b; k++) {
        const d = buf[k] - 0x30
        if (d < 0 || d > 9) return undefined
        v = v * 10 + d
      }

      if (lengthAt < 0) {
        lengthAt = a
        lengthEnd = b
        length = v
      } else if (lengthEnd - lengthAt !== b - a || buf.compare(buf, lengthAt, lengthEnd, a, b) !== 0) return undefined
    } else if (n === 17 && named(buf, s, 'transfer-encoding')) {
      teFields++
      teChunked = b - a === 7 && named(buf, a, 'chunked')
    } else if (dropped(buf, s, n)) {
      drops = true
      if (n === 10 && named(buf, s, 'connection')) {
        connection = true
        for (const token of buf.toString('latin1', a, b).toLowerCase().split(',')) {
          const t = token.trim()
          if (t === 'close') close = true
          else if (t === 'keep-alive') keepAliveToken = true
        }
      }
    }
  }

  let framing: Framing
  if (noBody || status === 204 || status === 304 || (status >= 100 && status < 200)) framing = NONE
  else if (teFields > 0) {
    // Several Transfer-Encoding fields join into a list, never plain `chunked`.
    if (lengthAt >= 0 || teFields !== 1 || !teChunked) return undefined
    framing = CHUNKED
  } else if (lengthAt >= 0) framing = {kind: 'length', length}
  else framing = CLOSE

  let keepAlive = framing !== CLOSE && minor === 1
  if (connection && framing !== CLOSE) keepAlive = !close && (minor === 1 || keepAliveToken)
  const clean = !after1xx && minor === 1 && status >= 200 && framing !== CLOSE && !drops && (teFields === 0 || framing === CHUNKED)
  return new Head(buf.subarray(0, end + 4), status, minor, framing, keepAlive, clean, lineEnd)
}

/** A head scanHead refused: parseHead says why (a head it accepts is passed on as never clean). */
function referenceHead(buf: Buffer, end: number, noBody: boolean): ResponseHead {
  const h = parseHead(buf.toString('latin1', 0, end), noBody)
  const raw = buf.subarray(0, end + 4)
  return new Head(raw, h.status, h.minor, h.framing, h.keepAlive, false, raw.indexOf(CR), h.rawHeaders)
}
