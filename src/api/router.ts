// Hand-written router with moby's semantics (daemon/server/server.go on gorilla/mux):
// every route answers at `/v<version>/<path>` and at the bare `<path>`; the version
// middleware sets `Server`/`Api-Version`/`Ostype` and checks the range; unknown paths and
// wrong methods get a bare 404 `page not found`.
import {type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse} from 'node:http'

import type {Duplex} from 'node:stream'

import {ENGINE_SECTIONS, engineRouteOf, sectionOf} from './engine-routes.js'
import {ApiError, messageFromError, statusFromError} from './errors.js'
import {goEscapePath, goUnescape, parseGoQuery} from './query.js'
import {writeError} from './respond.js'
import type {ApiContext, AuthzRecord, AuthzVerdict, ForwardTarget, HttpMethod, ResponseFilter, Route, RouteContext} from './types.js'
import {checkRequestVersion, versionLessThan} from './versions.js'

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

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>

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
  /**
   * Serves one request. `controller` lets the server abort handlers at shutdown; without it
   * the router makes one that aborts only when the client goes away.
   */
  /** Synchronous for synchronous handlers (a Promise only when something awaits): /_ping stays cheap. */
  handle(req: IncomingMessage, res: ServerResponse, api: ApiContext, controller?: LazyAbort, upgrade?: UpgradeInput): Promise<void> | void
}

/** A request that asked to upgrade its connection: its socket and the bytes after its head. */
export interface UpgradeInput {
  socket: Duplex
  head: Buffer
  /** Called when the connection was taken over (or lost) instead of answered on `res`. */
  done(result: {bytes: number; status: number}): void
}

/** What a request to an engine route gets when no engine is configured. */
export const NO_ENGINE_MESSAGE =
  'this daemon has no engine to serve this request: start it with --engine-host (or "engine-host" in daemon.json) set to a Docker engine\'s address, e.g. --engine-host unix:///run/docker.sock'

/**
 * A request none of the daemon's routes serves: authorized like any other, then forwarded to the
 * engine backend; without one, an engine route gets 501 saying how to configure one, anything
 * else 404 as before.
 */
function toEngine(req: IncomingMessage, res: ServerResponse, api: ApiContext, method: string, path: string, uri: string, upgrade?: UpgradeInput): Promise<void> | void {
  const versioned = splitVersion(path)
  const [urlVersion, unversioned] = versioned ?? ['', path]
  const engine = api.engine
  if (!engine && !ENGINE_SECTIONS.has(sectionOf(unversioned))) {
    notFound(res)
    return
  }

  const route = engineRouteOf(method, unversioned)
  if (res instanceof GoResponse) {
    res.route = route ?? ''
    res.forwarded = engine !== undefined
  }

  if (debugEnabled(api)) api.log.debug(`Forwarding ${method} ${uri}`)
  const target: ForwardTarget = {method, path: unversioned, uri, urlVersion}
  const go = (verdict?: AuthzVerdict): void => {
    if (!engine) writeError(res, 501, NO_ENGINE_MESSAGE, urlVersion)
    else if (upgrade) engine.upgrade(req, res, upgrade.socket, verdict?.head ?? upgrade.head, target, upgrade.done)
    else if (verdict?.body || verdict?.response) engine.forward(req, res, target, {body: verdict.body, response: verdict.response})
    else engine.forward(req, res, target)
  }

  if (!api.authorize) return go()
  const asked = {forwarded: true, method, path: unversioned, route, upgrade: upgrade && {head: upgrade.head, socket: upgrade.socket}, uri}
  return Promise.resolve(api.authorize(req, asked)).then((verdict) => {
    if (res instanceof GoResponse) res.authz = verdict?.record
    if (verdict?.deny) writeError(res, verdict.deny.status, verdict.deny.message, urlVersion)
    else go(verdict)
  })
}

/**
 * An abort that creates its AbortController only when a handler asks for the signal: most
 * requests (/_ping) never do, and a controller per request is a measurable share of their cost.
 */
export class LazyAbort {
  private controller?: AbortController
  private why: unknown

  /** `watch` runs when a handler first asks for the signal: only then is the request tracked. */
  constructor(private readonly watch?: () => void) {}

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
      this.watch?.()
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
 * writeHead the way Go's server writes a head: the middleware's, the progressive (setHeader) and
 * the given headers as one sorted, canonical list, Content-Length last. When nothing was set
 * progressively (the /_ping path) Node takes its fast path and no header is set one by one.
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
  for (const name of this.getHeaderNames()) {
    put(canonicalHeaderKey(name), this.getHeader(name) as OutgoingHttpHeader)
    this.removeHeader(name)
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

  return reason === undefined ? original.call(this, statusCode, flat) : (original as (c: number, r: string, h: string[]) => ServerResponse).call(this, statusCode, reason, flat)
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90

const nodeWriteHead = ServerResponse.prototype.writeHead

/** The server's response class: Go-style heads without patching every response object. */
export class GoResponse extends ServerResponse {
  pending: Pending = []
  /** The matched route's pattern, for observers (metrics by route). */
  route = ''
  /** True when the request went to the engine backend. */
  forwarded = false
  /** Body bytes of a forwarded answer, for observers. */
  bytes = 0
  /** What authorization decided, for observers. */
  authz?: AuthzRecord
}

;(GoResponse.prototype as ServerResponse).writeHead = function (this: GoResponse, statusCode: number, ...rest: unknown[]) {
  return goWriteHead.call(this, nodeWriteHead, this.pending, statusCode, rest)
} as NodeWriteHead

/** For responses of other servers (the router used on its own): patch this one response. */
function goHeadersOnWrite(res: ServerResponse): Pending {
  if (res instanceof GoResponse) return res.pending
  const pending: Pending = []
  const original = res.writeHead
  res.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    return goWriteHead.call(this, original, pending, statusCode, rest)
  } as NodeWriteHead
  return pending
}

// What Go's server answers when the request line/URI does not parse.
function badRequest(res: ServerResponse): void {
  res.statusCode = 400
  res.shouldKeepAlive = false
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Connection', 'close')
  res.end('400 Bad Request')
}

function notFound(res: ServerResponse): void {
  writeError(res, 404, 'page not found')
}

const versionChecks = new Map<string, string | undefined>()

/** The same few versions arrive on every request; BigInt arithmetic per request adds up. */
function cachedVersionCheck(version: string, min: string, max: string): string | undefined {
  // Most requests carry no version (= max), which the server checked against min at construction.
  if (version === max) return undefined
  const key = `${version} ${min} ${max}`
  if (versionChecks.has(key)) return versionChecks.get(key)
  const result = checkRequestVersion(version, min, max)
  if (versionChecks.size < 256) versionChecks.set(key, result)
  return result
}

function debugEnabled(api: ApiContext): boolean {
  return api.log.isLevelEnabled ? api.log.isLevelEnabled('debug') : true
}

/** RouteContext with the query parsed and the abort signal created only when a handler asks. */
class Context implements RouteContext {
  private parsed?: URLSearchParams
  response?: ResponseFilter

  constructor(
    readonly api: ApiContext,
    readonly params: Record<string, string>,
    readonly rawQuery: string,
    private readonly abort: LazyAbort,
    readonly version: string,
  ) {}

  get query(): URLSearchParams {
    this.parsed ??= this.rawQuery ? parseGoQuery(this.rawQuery).query : new URLSearchParams()
    return this.parsed
  }

  get signal(): AbortSignal {
    return this.abort.signal
  }
}

interface Call {
  ac: LazyAbort
  api: ApiContext
  method: string
  params: Record<string, string>
  req: IncomingMessage
  res: ServerResponse
  route: Route
  urlVersion: string
}

/** Runs the route's handler; a Promise only if the handler returned one. */
function runRoute(call: Call, ctx: RouteContext, version: string): Promise<void> | void {
  const {method, route} = call
  try {
    if (route.minVersion && versionLessThan(version, route.minVersion)) {
      throw new ApiError(400, `${method} ${route.path} requires API version ${route.minVersion}, but the client API version is ${version}`)
    }

    const result = route.handler(call.req, call.res, ctx)
    if (result && typeof (result as Promise<void>).then === 'function') return (result as Promise<void>).then(undefined, (err: unknown) => routeFailed(call, err))
  } catch (err) {
    routeFailed(call, err)
  }
}

/** A handler's error as dockerd answers it (or logs it, when the client is gone). */
function routeFailed(call: Call, err: unknown): void {
  const {ac, api, method, params, req, res, route, urlVersion} = call
  const status = statusFromError(err)
  const fields = {module: 'api', method, 'request-url': req.url, vars: {...params, ...(urlVersion ? {version: urlVersion} : {})}}
  if (res.destroyed || ac.reason === ABORT_CLIENT_GONE) {
    // The client went away: nothing to write to (moby logs this as status 499).
    api.log.info?.('request cancelled by client', {...fields, error: messageFromError(err), status: 499})
    return
  }

  if (status >= 500) {
    api.log.error?.(`Handler for ${method} ${route.path} returned error`, {...fields, 'error-response': messageFromError(err), status})
  }

  if (res.headersSent) {
    // Mid-stream failure: the status line is gone; end the body cleanly.
    res.end()
    return
  }

  writeError(res, status, messageFromError(err), urlVersion)
}

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

  const handle = (req: IncomingMessage, res: ServerResponse, api: ApiContext, controller?: LazyAbort, upgrade?: UpgradeInput): Promise<void> | void => {
    const pending = goHeadersOnWrite(res)
    const method = req.method ?? 'GET'
    let target = req.url ?? '/'

    // Go's server answers `OPTIONS *` itself, before any handler.
    if (method === 'OPTIONS' && target === '*') {
      res.setHeader('Content-Length', '0')
      res.end()
      return
    }
    if (!target.startsWith('/')) {
      // absolute-form (`GET http://host/path`): Go routes on its path.
      try {
        const u = new URL(target)
        target = u.pathname + u.search
      } catch {
        badRequest(res)
        return
      }
    }
    const qi = target.indexOf('?')
    const rawPath = qi < 0 ? target : target.slice(0, qi)
    const rawQuery = qi < 0 ? '' : target.slice(qi + 1)
    const path = goUnescape(rawPath, false)
    if (path instanceof Error) {
      badRequest(res)
      return
    }

    // gorilla redirects non-canonical paths (`//_ping`, `/a/../_ping`) before routing.
    const clean = path.includes('//') || path.includes('/.') ? cleanPath(path) : path
    if (clean !== path) {
      res.statusCode = 301
      res.setHeader('Location', goEscapePath(clean) + (rawQuery ? '?' + rawQuery : ''))
      res.setHeader('Content-Length', '0')
      res.end()
      return
    }

    const hit = match(method, path)
    if (!hit) return toEngine(req, res, api, method, path, target, upgrade)
    const {route, params, urlVersion} = hit
    if (res instanceof GoResponse) res.route = route.path

    // moby's debug middleware wraps matched routes only; the text is the real daemon's.
    if (debugEnabled(api)) api.log.debug(`Calling ${method} ${req.url ?? ''}`)

    // Version middleware: these headers go out on version errors too.
    pending.push('Server', `Docker/${api.serverVersion} (${api.os})`, 'Api-Version', api.maxApiVersion, 'Ostype', api.os)
    const version = urlVersion || api.maxApiVersion
    const versionError = cachedVersionCheck(version, api.minApiVersion, api.maxApiVersion)
    if (versionError) {
      writeError(res, 400, versionError, urlVersion)
      return
    }
    // Experimental middleware sits inside the version check, so its header is absent on errors.
    pending.push('Docker-Experimental', String(api.experimental()))
    // The server passes a controller it already aborts when the client goes away.
    const ac =
      controller ??
      new LazyAbort(() =>
        res.once('close', () => {
          if (!res.writableFinished) ac.abort(ABORT_CLIENT_GONE)
        }),
      )
    const call: Call = {ac, api, method, params, req, res, route, urlVersion}
    const ctx = new Context(api, params, rawQuery, ac, version)
    if (api.authorize) {
      const unversioned = urlVersion ? path.slice(urlVersion.length + 2) : path
      return Promise.resolve(api.authorize(req, {method, path: unversioned, route: route.path, uri: req.url ?? ''})).then((verdict) => {
        if (res instanceof GoResponse) res.authz = verdict?.record
        if (verdict?.deny) writeError(res, verdict.deny.status, verdict.deny.message, urlVersion)
        else {
          if (verdict?.response) ctx.response = verdict.response
          return runRoute(call, ctx, version)
        }
      })
    }

    return runRoute(call, ctx, version)
  }

  for (const r of initial) add(r)
  return {add, routes, match, handle}
}
