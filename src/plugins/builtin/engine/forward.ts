// Forwarding one request to the upstream engine, streamed both ways without buffering: the body
// is piped up as it arrives, the answer piped down as it comes (and its head flushed at once, so
// `logs -f` and `/events` start before their first line). Upgrades (attach, exec start, h2c,
// WebSocket) hand both sockets to splice().
import type {ClientRequest, IncomingMessage, ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

import {listen} from '../../../api/listen.js'
import {goJson, writeError} from '../../../api/respond.js'
import type {ForwardOptions, ForwardTarget, ResponseFilter} from '../../../api/types.js'
import {splice} from './splice.js'
import {fastEligible, forwardFast} from './fast.js'
import {endToEndHeaders, METHODS_WITHOUT_BODY} from './headers.js'
import type {Upstream} from './upstream.js'

/** The largest body an upgrading request may carry (exec start sends a few bytes of JSON). */
export const MAX_UPGRADE_BODY = 1 << 20

/** What forwarding tells observers about a connection it took over (or lost before an answer). */
export interface ForwardResult {
  bytes: number
  status: number
}

/** A response that counts the body bytes it relayed (the API server's GoResponse does). */
type Counted = ServerResponse & {bytes?: number}

/** Sets headers from a rawHeaders list on an outgoing message, repeated names as one array. */
function setRawHeaders(msg: ClientRequest, raw: readonly string[]): void {
  const seen = new Map<string, {name: string; values: string[]}>()
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i].toLowerCase()
    const entry = seen.get(key)
    if (entry) entry.values.push(raw[i + 1])
    else seen.set(key, {name: raw[i], values: [raw[i + 1]]})
  }

  for (const {name, values} of seen.values()) msg.setHeader(name, values.length === 1 ? values[0] : values)
}

// DOCKERD_ENGINE_FAST=0 forwards every request through node:http's client (for comparison, and a
// way out should the fast path misbehave with some engine).
export const fastPath = process.env.DOCKERD_ENGINE_FAST !== '0'

/** Relays the upstream's answer on `res` (a normal response, or one bound to a hijackable socket). */
function relay(upRes: IncomingMessage, res: Counted, upReq: ClientRequest): void {
  const status = upRes.statusCode ?? 502
  const headers = endToEndHeaders(upRes.rawHeaders)
  const noBody = upRes.headers['content-length'] === undefined && upRes.headers['transfer-encoding'] === undefined
  // An answer framed by the end of the connection (the old attach form: 200, then a raw stream)
  // goes down the same way; chunking it would corrupt the stream.
  if (noBody && status !== 204 && status !== 304 && res.req?.method !== 'HEAD') res.useChunkedEncodingByDefault = false
  res.writeHead(status, upRes.statusMessage ?? '', headers)
  // A streamed answer's head goes out now: clients wait for it before they read.
  if (upRes.headers['content-length'] === undefined) res.flushHeaders()
  res.bytes = 0
  upRes.on('data', (chunk: Buffer) => {
    res.bytes! += chunk.length
  })
  upRes.pipe(res)
  // The upstream went away mid-answer: the client's answer ends the same way (not cleanly).
  upRes.on('aborted', () => res.destroy())
  upRes.on('error', () => res.destroy())
  res.once('close', () => {
    if (!upRes.complete) upReq.destroy()
  })
}

function failBeforeAnswer(res: ServerResponse, upstream: Upstream, error: unknown, target: ForwardTarget): void {
  upstream.failed(error)
  if (res.headersSent || res.destroyed) res.destroy()
  else writeError(res, 502, upstream.unreachable(error), target.urlVersion)
}

/**
 * Forwards one request: method, URI (version prefix unchanged), end-to-end headers and the body,
 * streamed. A client that goes away aborts the upstream request; an upstream that goes away ends
 * the client's answer.
 */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, target: ForwardTarget, upstream: Upstream, opts: ForwardOptions = {}): void {
  // Nothing to rewrite or filter: the fast path relays bytes (TLS to the upstream keeps node:https).
  if (opts.body === undefined && opts.response === undefined && !upstream.tls && fastPath && fastEligible(req, res)) {
    forwardFast(req, res, target, upstream)
    return
  }

  const upReq = upstream.request(upstream.options(target.method, target.uri))
  setRawHeaders(upReq, endToEndHeaders(req.rawHeaders))
  const {body, response} = opts
  if (body) {
    // The bytes the policy decided on, and nothing else, with their own length.
    upReq.removeHeader('Content-Length')
    upReq.setHeader('Content-Length', String(body.length))
  }

  const chunked = body === undefined && req.headers['transfer-encoding'] !== undefined
  const length = req.headers['content-length']
  // Go clients send `Content-Length: 0` on a POST without a body; Node would send an empty chunked
  // body instead. Say the same as Go.
  if (!body && !chunked && length === undefined && !METHODS_WITHOUT_BODY.has(target.method)) upReq.setHeader('Content-Length', '0')
  let answered = false
  upReq.on('response', (upRes) => {
    answered = true
    if (response?.json) filtered(upRes, res, upReq, response.json, target)
    else relay(upRes, res, upReq)
  })
  upReq.on('error', (error) => {
    if (!answered) failBeforeAnswer(res, upstream, error, target)
    else res.destroy()
  })
  // The client went away before the answer was complete.
  res.once('close', () => {
    if (!res.writableFinished) upReq.destroy()
  })
  req.on('error', () => upReq.destroy())
  if (body) upReq.end(body)
  else if (!chunked && (length === undefined || length === '0')) upReq.end()
  else req.pipe(upReq)
}

/** The largest JSON answer a response filter buffers (a list of every container is far smaller). */
export const MAX_FILTERED_ANSWER = 64 << 20

/**
 * Relays a JSON answer through an authorization filter: read whole, filtered, sent with its new
 * length. An answer that cannot be filtered is not sent at all (it could show what the caller may
 * not see).
 */
function filtered(upRes: IncomingMessage, res: Counted, upReq: ClientRequest, filter: NonNullable<ResponseFilter['json']>, target: ForwardTarget): void {
  const status = upRes.statusCode ?? 502
  const json = /^application\/json\b/i.test(String(upRes.headers['content-type'] ?? ''))
  if (status < 200 || status >= 300) {
    // Errors go back as they are: they list nothing.
    relay(upRes, res, upReq)
    return
  }

  const fail = (): void => {
    upReq.destroy()
    if (!res.headersSent && !res.destroyed) writeError(res, 502, `the engine's answer to ${target.method} ${target.path} could not be filtered for this caller`, target.urlVersion)
  }

  // A list the filter cannot read is not sent at all: it could show what the caller may not see.
  if (!json) return fail()

  const chunks: Buffer[] = []
  let size = 0
  upRes.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > MAX_FILTERED_ANSWER) upReq.destroy()
    else chunks.push(chunk)
  })
  upRes.on('error', fail)
  upRes.on('aborted', fail)
  upRes.on('end', () => {
    if (size > MAX_FILTERED_ANSWER) return fail()
    let text: string
    try {
      text = goJson(filter(JSON.parse(Buffer.concat(chunks).toString('utf8')), status)) + '\n'
    } catch {
      return fail()
    }

    const headers = endToEndHeaders(upRes.rawHeaders)
    const flat: string[] = []
    for (let i = 0; i < headers.length; i += 2) if (headers[i].toLowerCase() !== 'content-length') flat.push(headers[i], headers[i + 1])
    flat.push('Content-Length', String(Buffer.byteLength(text)))
    res.writeHead(status, upRes.statusMessage ?? '', flat)
    res.bytes = Buffer.byteLength(text)
    res.end(res.req?.method === 'HEAD' ? undefined : text)
  })
  res.once('close', () => {
    if (!upRes.complete) upReq.destroy()
  })
}

/** Reads the request body of an upgrading request (`Content-Length` bytes) from `head` and the socket. */
export function readUpgradeBody(socket: Duplex, head: Buffer, length: number): Promise<{body: Buffer; rest: Buffer}> {
  if (head.length >= length) return Promise.resolve({body: head.subarray(0, length), rest: head.subarray(length)})
  return new Promise((resolve, reject) => {
    const chunks = [head]
    let have = head.length
    const closed = (): void => {
      stop()
      reject(new Error('the client closed the connection before sending the whole request body'))
    }

    const stop = listen(socket, {
      close: closed,
      data(chunk: Buffer) {
        chunks.push(chunk)
        have += chunk.length
        if (have < length) return
        stop()
        socket.pause()
        const all = Buffer.concat(chunks)
        resolve({body: all.subarray(0, length), rest: all.subarray(length)})
      },
      end: closed,
    })
    socket.resume()
  })
}

/** The 101 (or other upgrade answer) head, written raw on the client's socket. */
function rawHead(upRes: IncomingMessage): Buffer {
  let text = `HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage ?? ''}\r\n`
  const raw = upRes.rawHeaders
  for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`
  return Buffer.from(text + '\r\n', 'latin1')
}

/**
 * Forwards a request that asks to upgrade its connection. The upstream's 101 goes back raw and
 * the two sockets are spliced (half-close kept), and `done` runs when both have closed; any other
 * answer goes back on `res`, after which the connection closes.
 */
export function forwardUpgrade(
  req: IncomingMessage,
  res: ServerResponse,
  socket: Duplex,
  head: Buffer,
  target: ForwardTarget,
  upstream: Upstream,
  done: (r: ForwardResult) => void = () => {},
): void {
  if (req.headers['transfer-encoding'] !== undefined) {
    writeError(res, 400, 'a request that upgrades its connection must send its body with Content-Length, not chunked', target.urlVersion)
    return
  }

  const length = Number(req.headers['content-length'] ?? 0)
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_UPGRADE_BODY) {
    writeError(res, 413, `the body of a request that upgrades its connection is limited to ${MAX_UPGRADE_BODY} bytes`, target.urlVersion)
    return
  }

  readUpgradeBody(socket, head, length).then(
    ({body, rest}) => {
      const upReq = upstream.request(upstream.options(target.method, target.uri))
      setRawHeaders(upReq, endToEndHeaders(req.rawHeaders))
      upReq.setHeader('Connection', 'Upgrade')
      upReq.setHeader('Upgrade', req.headers.upgrade ?? 'tcp')
      upReq.setHeader('Content-Length', String(body.length))
      let answered = false
      upReq.on('upgrade', (upRes, upSocket, upHead) => {
        answered = true
        if (socket.destroyed) {
          upSocket.destroy()
          done({bytes: 0, status: 499})
          return
        }

        // The client's socket is ours now: the HTTP response bound to it is never used.
        res.detachSocket(socket as never)
        socket.write(rawHead(upRes))
        if (upHead.length > 0) socket.write(upHead)
        if (rest.length > 0) upSocket.write(rest)
        splice(socket, upSocket, (bytes) => done({bytes: bytes.aToB + bytes.bToA, status: upRes.statusCode ?? 101}))
      })
      upReq.on('response', (upRes) => {
        answered = true
        relay(upRes, res, upReq)
      })
      upReq.on('error', (error) => {
        if (!answered) failBeforeAnswer(res, upstream, error, target)
      })
      socket.once('close', () => {
        if (!answered) upReq.destroy()
      })
      upReq.end(body)
    },
    () => {
      socket.destroy()
      done({bytes: 0, status: 499})
    },
  )
}
