// The request path: one Call per request, resolved against the routes (what Go's server and
// gorilla's mux answer before any middleware: `OPTIONS *`, bad URIs, non-canonical paths, unknown
// paths without an engine), then the middleware list in order. The built-ins (version, identity,
// authorization, observe, route) are methods on objects made once per server, and the Call is the
// route handlers' context too: a /_ping costs one object of ours besides node's request/response,
// and no closure unless something awaits.
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

import {ENGINE_SECTIONS, engineRouteOf, sectionOf} from './engine-routes.js'
import {ApiError, messageFromError, statusFromError} from './errors.js'
import {identityOf} from './identity.js'
import {assembleMiddleware, MIDDLEWARE_POSITIONS, type MiddlewareContribution} from './middleware.js'
import {goEscapePath, goUnescape, parseGoQuery} from './query.js'
import {writeError} from './respond.js'
import {ABORT_CLIENT_GONE, cleanPath, type GoResponse, LazyAbort, NO_PARAMS, type Router, splitVersion} from './router.js'
import type {
  ApiCall,
  ApiContext,
  ApiObservation,
  AuthzRecord,
  AuthzVerdict,
  CallerIdentity,
  ForwardTarget,
  Middleware,
  ResponseFilter,
  Route,
} from './types.js'
import {checkRequestVersion, versionLessThan} from './versions.js'

/** A request that asked to upgrade its connection: its socket and the bytes after its head. */
export interface UpgradeInput {
  socket: Duplex
  head: Buffer
}

/** What a request to an engine route gets when no engine is configured. */
export const NO_ENGINE_MESSAGE =
  'this daemon has no engine to serve this request: start it with --engine-host (or "engine-host" in daemon.json) set to a Docker engine\'s address, e.g. --engine-host unix:///run/docker.sock'

/** One request on its way through the list; the route handler's context (RouteContext) too. */
export class Call extends LazyAbort implements ApiCall {
  method: string
  path = ''
  uri: string
  urlVersion = ''
  version = ''
  route = ''
  forwarded = false
  params = NO_PARAMS
  rawQuery = ''
  upgrade?: UpgradeInput
  identity?: CallerIdentity
  authz?: AuthzRecord
  response?: ResponseFilter
  /** The daemon route that serves it (undefined: forwarded). */
  served?: Route
  /** What authorization decided for a forwarded request (its body, its answer's filter). */
  verdict?: AuthzVerdict
  /** When observed: the start, and whether the observation was made. */
  started = 0n
  observed = false
  /** Where a handler that watches its signal is tracked for shutdown (the server's set). */
  tracker?: Set<Call>
  private parsed?: URLSearchParams

  constructor(
    readonly pipeline: Pipeline,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    super()
    this.method = req.method ?? 'GET'
    this.uri = req.url ?? '/'
  }

  get api(): ApiContext {
    return this.pipeline.api
  }

  get query(): URLSearchParams {
    this.parsed ??= this.rawQuery ? parseGoQuery(this.rawQuery).query : new URLSearchParams()
    return this.parsed
  }

  /** Answered: the rest of the list is skipped. */
  get answered(): boolean {
    return this.res.writableEnded || this.res.headersSent
  }

  refuse(status: number, message: string): void {
    writeError(this.res, status, message, this.urlVersion)
  }

  /** The signal was asked for: abort it when the client goes away before the answer is complete. */
  protected override watch(): void {
    this.tracker?.add(this)
    this.res.once('close', () => {
      this.tracker?.delete(this)
      if (!this.res.writableFinished) this.abort(ABORT_CLIENT_GONE)
    })
  }

  /** Tells the done hooks (observers) about the answer, once. */
  finish(status: number, bytes: number): void {
    if (this.observed) return
    this.observed = true
    const o: ApiObservation = {
      authz: this.authz,
      bytes,
      durationMs: Number(process.hrtime.bigint() - this.started) / 1e6,
      forwarded: this.forwarded,
      identity: this.identity ?? identityOf(this.req.socket),
      method: this.req.method ?? '',
      path: rawPathOf(this.req),
      route: this.route,
      status,
    }
    for (const m of this.pipeline.doneHooks) {
      try {
        m.done!(this, o)
      } catch {}
    }
  }
}

/** The path of a request without the query and the version prefix, undecoded (for observers). */
function rawPathOf(req: IncomingMessage): string {
  const url = req.url ?? ''
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  return splitVersion(path)?.[1] ?? path
}

// What Go's server answers when the request line/URI does not parse.
function badRequest(res: ServerResponse): void {
  res.statusCode = 400
  res.shouldKeepAlive = false
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Connection', 'close')
  res.end('400 Bad Request')
}

export function debugEnabled(api: ApiContext): boolean {
  return api.log.isLevelEnabled ? api.log.isLevelEnabled('debug') : true
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

/**
 * Works out what serves the request (a daemon route, the engine) before the list runs, or answers
 * it as Go's server and gorilla's mux do before any middleware. Returns false when answered.
 */
function resolve(call: Call, router: Router): boolean {
  const {api} = call.pipeline
  const {method, res} = call
  let target = call.uri
  // Go's server answers `OPTIONS *` itself, before any handler.
  if (method === 'OPTIONS' && target === '*') {
    res.setHeader('Content-Length', '0')
    res.end()
    return false
  }

  if (target.charCodeAt(0) !== 0x2f /* / */) {
    // absolute-form (`GET http://host/path`): Go routes on its path.
    try {
      const u = new URL(target)
      target = u.pathname + u.search
    } catch {
      badRequest(res)
      return false
    }
  }

  const qi = target.indexOf('?')
  const rawPath = qi < 0 ? target : target.slice(0, qi)
  if (qi >= 0) call.rawQuery = target.slice(qi + 1)
  const path = goUnescape(rawPath, false)
  if (path instanceof Error) {
    badRequest(res)
    return false
  }

  // gorilla redirects non-canonical paths (`//_ping`, `/a/../_ping`) before routing.
  const clean = path.includes('//') || path.includes('/.') ? cleanPath(path) : path
  if (clean !== path) {
    res.statusCode = 301
    res.setHeader('Location', goEscapePath(clean) + (call.rawQuery ? '?' + call.rawQuery : ''))
    res.setHeader('Content-Length', '0')
    res.end()
    return false
  }

  const hit = router.match(method, path)
  if (hit) {
    call.served = hit.route
    call.route = hit.route.path
    call.params = hit.params
    call.urlVersion = hit.urlVersion
    call.path = hit.urlVersion ? path.slice(hit.urlVersion.length + 2) : path
    // moby's debug middleware wraps matched routes only; the text is the real daemon's.
    if (debugEnabled(api)) api.log.debug(`Calling ${method} ${call.uri}`)
    return true
  }

  // None of the daemon's routes: forwarded to the engine backend; without one, an engine route
  // gets 501 saying how to configure one (after authorization, like any other), anything else 404.
  const versioned = splitVersion(path)
  call.urlVersion = versioned?.[0] ?? ''
  call.path = versioned?.[1] ?? path
  if (!api.engine && !ENGINE_SECTIONS.has(sectionOf(call.path))) {
    writeError(res, 404, 'page not found')
    return false
  }

  call.forwarded = api.engine !== undefined
  call.route = engineRouteOf(method, call.path) ?? ''
  call.uri = target
  if (debugEnabled(api)) api.log.debug(`Forwarding ${method} ${target}`)
  return true
}

/**
 * The headers moby's version middleware puts on every answer of a daemon route, and its
 * experimental middleware's (inside the version check: absent on version errors).
 */
export function versionHeaders(pending: string[], api: ApiContext, serverHeader: string, versionOk: boolean): void {
  pending.push('Server', serverHeader, 'Api-Version', api.maxApiVersion, 'Ostype', api.os)
  if (versionOk) pending.push('Docker-Experimental', api.experimental() ? 'true' : 'false')
}

/** What the version middleware says in `Server`. */
export const serverHeaderOf = (api: ApiContext): string => `Docker/${api.serverVersion} (${api.os})`

/** The built-in middleware of one server, in order: each a method, nothing made per request. */
function builtins(api: ApiContext): Middleware[] {
  const serverHeader = serverHeaderOf(api)
  return [
    {
      name: 'version',
      // moby's version middleware wraps the daemon's routes: its headers go out on version errors
      // too; forwarded requests carry the engine's.
      request(call: ApiCall) {
        const c = call as Call
        const max = api.maxApiVersion
        c.version = c.urlVersion || max
        if (!c.served) return
        const pending = (c.res as GoResponse).pending
        const versionError = cachedVersionCheck(c.version, api.minApiVersion, max)
        versionHeaders(pending, api, serverHeader, versionError === undefined)
        if (versionError) c.refuse(400, versionError)
      },
    },
    {
      name: 'identity',
      request(call: ApiCall) {
        call.identity = identityOf(call.req.socket)
      },
    },
    {
      name: 'authorization',
      request(call: ApiCall) {
        const c = call as Call
        if (!api.authorize) return
        const target = c.served
          ? {method: c.method, path: c.path, route: c.route, uri: c.req.url ?? ''}
          : {forwarded: true, method: c.method, path: c.path, route: c.route || undefined, upgrade: c.upgrade && {head: c.upgrade.head, socket: c.upgrade.socket}, uri: c.uri}
        const verdict = api.authorize(c.req, target)
        // No authorization plugin configured: the authorizer says so at once, and no promise is made.
        if (verdict === undefined) return
        if (typeof (verdict as Promise<unknown>).then !== 'function') {
          authorized(c, verdict as AuthzVerdict)
          return
        }

        return (verdict as Promise<AuthzVerdict | undefined>).then((v) => authorized(c, v))
      },
    },
    {
      name: 'observe',
      done(_call, o) {
        api.observe?.(o)
      },
    },
    {
      name: 'route',
      request(call: ApiCall) {
        const c = call as Call
        if (c.served) return runRoute(c, c.served)
        forward(c)
      },
    },
  ]
}

function authorized(call: Call, verdict: AuthzVerdict | undefined): void {
  call.authz = verdict?.record
  if (verdict?.deny) {
    call.refuse(verdict.deny.status, verdict.deny.message)
    return
  }

  call.verdict = verdict
  if (verdict?.response) call.response = verdict.response
}

/** A request no daemon route serves: to the engine backend, or 501 without one. */
function forward(call: Call): void {
  const {req, res, upgrade, verdict} = call
  const engine = call.pipeline.api.engine
  if (!engine) {
    call.refuse(501, NO_ENGINE_MESSAGE)
    return
  }

  const target: ForwardTarget = {method: call.method, path: call.path, uri: call.uri, urlVersion: call.urlVersion}
  if (upgrade) engine.upgrade(req, res, upgrade.socket, verdict?.head ?? upgrade.head, target, (r) => call.finish(r.status, r.bytes))
  else if (verdict?.body || verdict?.response) engine.forward(req, res, target, {body: verdict.body, response: verdict.response})
  else engine.forward(req, res, target)
}

/** Runs the route's handler; a Promise only if the handler returned one. */
function runRoute(call: Call, route: Route): Promise<void> | void {
  try {
    if (route.minVersion && versionLessThan(call.version, route.minVersion)) {
      throw new ApiError(400, `${call.method} ${route.path} requires API version ${route.minVersion}, but the client API version is ${call.version}`)
    }

    const result = route.handler(call.req, call.res, call)
    if (result && typeof (result as Promise<void>).then === 'function') return (result as Promise<void>).then(undefined, (err: unknown) => routeFailed(call, route, err))
  } catch (err) {
    routeFailed(call, route, err)
  }
}

/** A handler's error as dockerd answers it (or logs it, when the client is gone). */
function routeFailed(call: Call, route: Route, err: unknown): void {
  const {api, method, params, req, res, urlVersion} = call
  const status = statusFromError(err)
  const fields = {module: 'api', method, 'request-url': req.url, vars: {...params, ...(urlVersion ? {version: urlVersion} : {})}}
  if (res.destroyed || call.reason === ABORT_CLIENT_GONE) {
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

/** Runs the list from `i` until a middleware answers; a Promise only when one awaits. */
function run(call: Call, list: readonly Middleware[], i: number): Promise<void> | void {
  for (; i < list.length; i++) {
    const m = list[i]
    if (!m.request) continue
    const result = m.request(call)
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      const next = i + 1
      return (result as Promise<void>).then(() => (call.answered ? undefined : run(call, list, next)))
    }

    if (call.answered) return
  }
}

function onFinish(this: Call): void {
  this.finish(this.res.statusCode, (this.res as GoResponse).bytes)
}

/** The request path of one server: its routes and its middleware list. */
export class Pipeline {
  readonly list: readonly Middleware[]
  readonly doneHooks: readonly Middleware[]
  /** A plugin's middleware has a done hook: every request is timed (the built-in observer only when api.observe is set). */
  readonly timed: boolean
  /** No plugin put a middleware in the list. */
  readonly builtinOnly: boolean

  constructor(
    readonly api: ApiContext,
    readonly router: Router,
    contributions: readonly MiddlewareContribution[] = [],
  ) {
    this.list = assembleMiddleware(builtins(api), contributions)
    this.doneHooks = this.list.filter((m) => m.done)
    this.timed = this.doneHooks.some((m) => m.name !== 'observe')
    this.builtinOnly = this.list.length === MIDDLEWARE_POSITIONS.length
  }

  /** The names in the list, in order (diagnostics, tests). */
  get names(): string[] {
    return this.list.map((m) => m.name)
  }

  /**
   * Serves one request (or an upgrading one, whose `res` is bound to its socket). Synchronous
   * unless something awaits, so /_ping stays cheap.
   */
  handle(call: Call, upgrade?: UpgradeInput): Promise<void> | void {
    if (upgrade) call.upgrade = upgrade
    // Only an observed request is timed and waited for: a listener per /_ping costs.
    if (this.timed || this.api.observe) {
      call.started = process.hrtime.bigint()
      call.res.once('finish', onFinish.bind(call))
    }

    if (!resolve(call, this.router)) return
    return run(call, this.list, 0)
  }
}
