// Hand-written router with moby's semantics (daemon/server/server.go on gorilla/mux):
// every route answers at `/v<version>/<path>` and at the bare `<path>`; unknown paths and
// wrong methods get a bare 404 `page not found` (src/api/pipeline.ts runs the request path).
// Also the server's response class, which writes heads the way Go's server does.
import {type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse} from 'node:http'

import type {HttpMethod, Route} from './types.js'

/** `signal.reason` when the client disconnected before the response was complete. */
export const ABORT_CLIENT_GONE = 'client-gone'
/** `signal.reason` when the server is shutting down. */
export const ABORT_SHUTDOWN = 'shutdown'

const METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'])
// gorilla: `/v{version:[0-9.]+}` + route path.
/** `/v1.41/_ping` → [`1.41`, `/_ping`] (gorilla's `/v{version:[0-9.]+}` prefix); else undefined. */
export function splitVersion(path: string): [string, string] | undefined {
  if (path.charCodeAt(1) !== 0x76 /* v */ || path.charCodeAt(0) !== 0x2f) return undefined
  const slash = path.indexOf('/', 2)
  if (slash <= 2) return undefined
  for (let i = 2; i < slash; i++) {
    const c = path.charCodeAt(i)
    if (c !== 0x2e && (c < 0x30 || c > 0x39)) return undefined
  }

  return [path.slice(2, slash), path.slice(slash)]
}

type Segment = {literal: string} | {param: string}

interface CompiledRoute {
  route: Route
  segments: Segment[]
  /** Name of a trailing `*name` that takes the rest of the path. */
  rest?: string
  key: string
  /** The whole path when the route has no parameters: matched by one string comparison. */
  literal?: string
}

export const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>

export interface RouteMatch {
  route: Route
  params: Record<string, string>
  /** The `/vX.Y` of the URL, '' for a bare path. */
  urlVersion: string
}

export interface Router {
  /** Registers a route; a second route with the same method and path shape is a programming error. */
  add(route: Route): void
  readonly routes: readonly Route[]
  match(method: string, path: string): RouteMatch | undefined
}

/**
 * An abort that creates its AbortController only when a handler asks for the signal: most
 * requests (/_ping) never do, and a controller per request is a measurable share of their cost.
 */
export class LazyAbort {
  private controller?: AbortController
  private why: unknown

  /** Runs when a handler first asks for the signal: only then is the request tracked. */
  protected watch(): void {}

  get aborted(): boolean {
    return this.why !== undefined
  }

  get reason(): unknown {
    return this.why
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.why !== undefined) this.controller.abort(this.why)
      this.watch()
    }

    return this.controller.signal
  }

  abort(reason: unknown): void {
    if (this.why !== undefined) return
    this.why = reason
    this.controller?.abort(reason)
  }
}

function compile(route: Route): CompiledRoute {
  if (!METHODS.has(route.method)) throw new Error(`invalid route method: ${String(route.method)}`)
  if (typeof route.path !== 'string' || !route.path.startsWith('/')) {
    throw new Error(`invalid route path for ${route.method}: ${String(route.path)}`)
  }
  if (typeof route.handler !== 'function') throw new Error(`route ${route.method} ${route.path} has no handler`)
  const parts = route.path.slice(1).split('/')
  const segments: Segment[] = []
  let rest: string | undefined
  const names = new Set<string>()
  for (const [i, part] of parts.entries()) {
    const isParam = part.startsWith(':')
    const isRest = part.startsWith('*')
    if (isParam || isRest) {
      const name = part.slice(1)
      if (!/^\w+$/.test(name) || names.has(name)) throw new Error(`invalid parameter in route path ${route.path}`)
      names.add(name)
      if (isRest) {
        if (i !== parts.length - 1) throw new Error(`"*${name}" must end the route path ${route.path}`)
        rest = name
      } else {
        segments.push({param: name})
      }
    } else {
      segments.push({literal: part})
    }
  }
  // Parameter names do not make two routes different.
  const shape = segments.map((s) => ('literal' in s ? s.literal : ':')).join('/') + (rest === undefined ? '' : '/*')
  const literal = rest === undefined && segments.every((seg) => 'literal' in seg) ? route.path : undefined
  return {route, segments, rest, key: `${route.method} /${shape}`, literal}
}

function matchPath(c: CompiledRoute, path: string): Record<string, string> | undefined {
  if (c.literal !== undefined) return c.literal === path ? NO_PARAMS : undefined
  const parts = path.slice(1).split('/')
  const n = c.segments.length
  if (c.rest === undefined ? parts.length !== n : parts.length < n) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < n; i++) {
    const seg = c.segments[i]
    if ('literal' in seg) {
      if (parts[i] !== seg.literal) return undefined
    } else {
      if (parts[i] === '') return undefined // gorilla's default `[^/]+`
      params[seg.param] = parts[i]
    }
  }
  if (c.rest !== undefined) {
    // `/*x` on `/` gives x = '' (gorilla `{x:.*}`); a path ending at the last literal does not match.
    if (parts.length === n) return undefined
    params[c.rest] = parts.slice(n).join('/')
  }
  return params
}

/** path.Clean plus gorilla's "keep the trailing slash" rule; always rooted. */
export function cleanPath(p: string): string {
  if (p === '') return '/'
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  let np = '/' + out.join('/')
  if (p.endsWith('/') && np !== '/') np += '/'
  return np
}

/** textproto.CanonicalMIMEHeaderKey: `api-version` → `Api-Version`. */
export function canonicalHeaderKey(name: string): string {
  let key = canonicalKeys.get(name)
  if (key === undefined) {
    key = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)
      ? name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
      : name
    // Header names come from our own code, so the cache stays small; bound it anyway.
    if (canonicalKeys.size < 256) canonicalKeys.set(name, key)
  }

  return key
}

const canonicalKeys = new Map<string, string>()

// Go canonicalises header names and writes the handler's headers sorted; Node writes them
// in insertion order as given. Redoing both at writeHead time (every path to the wire goes
// through it) makes the head read like dockerd's.
/** Headers the version middleware adds to every response of a routed request: name, value, … */
type Pending = string[]

type NodeWriteHead = ServerResponse['writeHead']

/**
 * The head's headers as Go's server writes them: the middleware's (`pending`), the progressive
 * ones (setHeader on `res`, removed from it) and the given ones as one sorted, canonical list of
 * name, value, …, Content-Length last.
 */
function goHeaderList(pending: Pending, res: ServerResponse | undefined, headers: OutgoingHttpHeaders | undefined): string[] {
  // Parallel arrays rather than an object keyed by header name: a dozen dynamic keys per response
  // push V8 into dictionary objects, which showed as the largest share of our per-request time.
  const names: string[] = []
  const values: OutgoingHttpHeader[] = []
  const put = (name: string, value: OutgoingHttpHeader) => {
    const i = names.indexOf(name)
    if (i === -1) {
      names.push(name)
      values.push(value)
    } else values[i] = value
  }

  for (let i = 0; i < pending.length; i += 2) put(pending[i], pending[i + 1])
  if (res) {
    for (const name of res.getHeaderNames()) {
      put(canonicalHeaderKey(name), res.getHeader(name) as OutgoingHttpHeader)
      res.removeHeader(name)
    }
  }

  // Our handlers write canonical names already (`Content-Type`): only others need canonicalising.
  if (headers) for (const k in headers) if (headers[k] !== undefined) put(isUpper(k.charCodeAt(0)) ? k : canonicalHeaderKey(k), headers[k]!)
  const order = names.map((_, i) => i)
  // Go sorts by name; its server writes Content-Length after the handler's headers.
  const key = (i: number) => (names[i] === 'Content-Length' ? '\uFFFF' : names[i])
  order.sort((x, y) => (key(x) < key(y) ? -1 : 1))
  const flat: string[] = []
  for (const i of order) {
    const value = values[i]
    if (Array.isArray(value)) for (const v of value) flat.push(names[i], v)
    else flat.push(names[i], String(value))
  }

  return flat
}

/**
 * writeHead the way Go's server writes a head (goHeaderList). When nothing was set progressively
 * Node takes its fast path and no header is set one by one.
 */
function goWriteHead(this: ServerResponse, original: NodeWriteHead, pending: Pending, statusCode: number, rest: unknown[]): ServerResponse {
  const reason = typeof rest[0] === 'string' ? rest[0] : undefined
  const headers = (reason === undefined ? rest[0] : rest[1]) as OutgoingHttpHeaders | unknown[] | undefined
  // The array form is rare and has its own order; leave it to Node.
  if (Array.isArray(headers)) {
    const head: unknown[] = reason === undefined ? [statusCode] : [statusCode, reason]
    for (let i = 0; i < pending.length; i += 2) if (!this.hasHeader(pending[i])) this.setHeader(pending[i], pending[i + 1])
    return original.apply(this, [...head, headers] as unknown as Parameters<NodeWriteHead>)
  }

  const flat = goHeaderList(pending, this, headers)
  return reason === undefined ? original.call(this, statusCode, flat) : (original as (c: number, r: string, h: string[]) => ServerResponse).call(this, statusCode, reason, flat)
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90

// What node:http refuses in a header value (its checkInvalidHeaderChar).
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/**
 * A pre-built head: the header lines Go's server would write for `pending` + `headers` (without
 * Content-Length), or undefined when a value is one node:http would refuse (writeHead then throws
 * as before). Made once per distinct set of values and cached by the caller.
 */
export function goHeaderBlock(pending: Pending, headers: OutgoingHttpHeaders): string | undefined {
  const flat = goHeaderList(pending, undefined, headers)
  let block = ''
  for (let i = 0; i < flat.length; i += 2) {
    if (INVALID_HEADER_VALUE.test(flat[i + 1])) return undefined
    block += `${flat[i]}: ${flat[i + 1]}\r\n`
  }

  return block
}

const nodeWriteHead = ServerResponse.prototype.writeHead

interface NodeInternals {
  _expect_continue?: boolean
  _sent100?: boolean
  _storeHeader?(firstLine: string, headers: string[]): void
}

// The head is stored through node's own _storeHeader, which adds Date (cached per second),
// Connection/Keep-Alive (HTTP/1.0 clients, `Connection: close`, the keep-alive timeout) exactly as
// for any other response; only the per-header validation of a dozen fixed headers is skipped.
const canStorePrebuilt = typeof (ServerResponse.prototype as NodeInternals)._storeHeader === 'function'

// /_ping's two lengths (HEAD, GET): _storeHeader only reads them.
const LENGTH_0 = ['Content-Length', '0']
const LENGTH_2 = ['Content-Length', '2']

/** The server's response class: Go-style heads without patching every response object. */
export class GoResponse extends ServerResponse {
  /** Headers the version middleware adds: name, value, … */
  pending: Pending = []
  /** Body bytes of a forwarded answer, for observers. */
  bytes = 0

  /**
   * Writes a 200 head from a pre-built block (goHeaderBlock of this response's `pending` and the
   * handler's headers) and its Content-Length. False when it cannot (a header was set
   * progressively, e.g. by a plugin's middleware, or the head is already out): use writeHead.
   */
  writePrebuiltHead(block: string, contentLength: number): boolean {
    if (!canStorePrebuilt || this.headersSent || this.getHeaderNames().length > 0) return false
    const self = this as unknown as NodeInternals
    this.statusCode = 200
    this.statusMessage = 'OK'
    // As writeHead: a client that expects 100-continue and got a final status may send more.
    if (self._expect_continue && !self._sent100) this.shouldKeepAlive = false
    self._storeHeader!('HTTP/1.1 200 OK\r\n' + block, contentLength === 0 ? LENGTH_0 : contentLength === 2 ? LENGTH_2 : ['Content-Length', String(contentLength)])
    return true
  }
}

;(GoResponse.prototype as ServerResponse).writeHead = function (this: GoResponse, statusCode: number, ...rest: unknown[]) {
  return goWriteHead.call(this, nodeWriteHead, this.pending, statusCode, rest)
} as NodeWriteHead

export function createRouter(initial: Route[] = []): Router {
  const byMethod = new Map<string, CompiledRoute[]>()
  const keys = new Set<string>()
  const routes: Route[] = []

  const add = (route: Route): void => {
    const c = compile(route)
    if (keys.has(c.key)) throw new Error(`route already registered: ${route.method} ${route.path}`)
    keys.add(c.key)
    routes.push(route)
    const list = byMethod.get(route.method) ?? []
    list.push(c)
    byMethod.set(route.method, list)
  }

  const match = (method: string, path: string): RouteMatch | undefined => {
    const candidates = byMethod.get(method)
    if (!candidates) return undefined
    const versioned = splitVersion(path)
    // Like gorilla: routes in registration order, each tried versioned first, then bare.
    for (const c of candidates) {
      if (versioned) {
        const params = matchPath(c, versioned[1])
        if (params) return {route: c.route, params, urlVersion: versioned[0]}
      }
      const params = matchPath(c, path)
      if (params) return {route: c.route, params, urlVersion: ''}
    }
    return undefined
  }

  for (const r of initial) add(r)
  return {add, routes, match}
}
