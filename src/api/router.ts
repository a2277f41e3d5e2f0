// Hand-written router with moby's semantics (daemon/server/server.go on gorilla/mux):
// every route answers at `/v<version>/<path>` and at the bare `<path>`; the version
// middleware sets `Server`/`Api-Version`/`Ostype` and checks the range; unknown paths and
// wrong methods get a bare 404 `page not found`.
import type {IncomingMessage, OutgoingHttpHeaders, ServerResponse} from 'node:http'

import {ApiError, messageFromError, statusFromError} from './errors.js'
import {goEscapePath, goUnescape, parseGoQuery} from './query.js'
import {writeError} from './respond.js'
import type {ApiContext, HttpMethod, Route, RouteContext} from './types.js'
import {checkRequestVersion, versionLessThan} from './versions.js'

/** `signal.reason` when the client disconnected before the response was complete. */
export const ABORT_CLIENT_GONE = 'client-gone'
/** `signal.reason` when the server is shutting down. */
export const ABORT_SHUTDOWN = 'shutdown'

const METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'])
// gorilla: `/v{version:[0-9.]+}` + route path.
const VERSIONED = /^\/v([0-9.]+)(\/.*)$/s

type Segment = {literal: string} | {param: string}

interface CompiledRoute {
  route: Route
  segments: Segment[]
  /** Name of a trailing `*name` that takes the rest of the path. */
  rest?: string
  key: string
}

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
  handle(req: IncomingMessage, res: ServerResponse, api: ApiContext, controller?: AbortController): Promise<void>
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
  return {route, segments, rest, key: `${route.method} /${shape}`}
}

function matchPath(c: CompiledRoute, path: string): Record<string, string> | undefined {
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
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
}

// Go canonicalises header names and writes the handler's headers sorted; Node writes them
// in insertion order as given. Redoing both at writeHead time (every path to the wire goes
// through it) makes the head read like dockerd's.
function goHeadersOnWrite(res: ServerResponse): void {
  const original = res.writeHead
  const patched = function (this: ServerResponse, statusCode: number, ...rest: unknown[]): ServerResponse {
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined
    const headers = (reason === undefined ? rest[0] : rest[1]) as OutgoingHttpHeaders | unknown[] | undefined
    // The array form is rare and has its own order; leave it to Node.
    if (Array.isArray(headers)) return original.apply(this, [statusCode, ...rest] as Parameters<typeof original>)
    if (headers) for (const [k, v] of Object.entries(headers)) if (v !== undefined) this.setHeader(k, v)
    const names = this.getHeaderNames().sort()
    const values = names.map((n) => this.getHeader(n))
    for (const n of names) this.removeHeader(n)
    names.forEach((n, i) => this.setHeader(canonicalHeaderKey(n), values[i] as number | string | string[]))
    return original.apply(this, (reason === undefined ? [statusCode] : [statusCode, reason]) as Parameters<typeof original>)
  }
  res.writeHead = patched as ServerResponse['writeHead']
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

function debugEnabled(api: ApiContext): boolean {
  return api.log.isLevelEnabled ? api.log.isLevelEnabled('debug') : true
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
    const versioned = VERSIONED.exec(path)
    // Like gorilla: routes in registration order, each tried versioned first, then bare.
    for (const c of candidates) {
      if (versioned) {
        const params = matchPath(c, versioned[2])
        if (params) return {route: c.route, params, urlVersion: versioned[1]}
      }
      const params = matchPath(c, path)
      if (params) return {route: c.route, params, urlVersion: ''}
    }
    return undefined
  }

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    api: ApiContext,
    controller?: AbortController,
  ): Promise<void> => {
    goHeadersOnWrite(res)
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
    const clean = cleanPath(path)
    if (clean !== path) {
      res.statusCode = 301
      res.setHeader('Location', goEscapePath(clean) + (rawQuery ? '?' + rawQuery : ''))
      res.setHeader('Content-Length', '0')
      res.end()
      return
    }

    const hit = match(method, path)
    if (!hit) {
      notFound(res)
      return
    }
    const {route, params, urlVersion} = hit

    // moby's debug middleware wraps matched routes only; the text is the real daemon's.
    if (debugEnabled(api)) api.log.debug(`Calling ${method} ${req.url ?? ''}`)

    // Version middleware: these headers go out on version errors too.
    res.setHeader('Server', `Docker/${api.serverVersion} (${api.os})`)
    res.setHeader('Api-Version', api.maxApiVersion)
    res.setHeader('Ostype', api.os)
    const version = urlVersion || api.maxApiVersion
    const versionError = checkRequestVersion(version, api.minApiVersion, api.maxApiVersion)
    if (versionError) {
      writeError(res, 400, versionError, urlVersion)
      return
    }
    // Experimental middleware sits inside the version check, so its header is absent on errors.
    res.setHeader('Docker-Experimental', String(api.experimental()))

    const ac = controller ?? new AbortController()
    const onClose = (): void => {
      if (!res.writableFinished && !ac.signal.aborted) ac.abort(ABORT_CLIENT_GONE)
    }
    res.once('close', onClose)
    const ctx: RouteContext = {version, params, query: parseGoQuery(rawQuery).query, rawQuery, api, signal: ac.signal}
    try {
      if (route.minVersion && versionLessThan(version, route.minVersion)) {
        throw new ApiError(400, `${method} ${route.path} requires API version ${route.minVersion}, but the client API version is ${version}`)
      }
      await route.handler(req, res, ctx)
    } catch (err) {
      const status = statusFromError(err)
      const fields = {module: 'api', method, 'request-url': req.url, vars: {...params, ...(urlVersion ? {version: urlVersion} : {})}}
      if (res.destroyed || ac.signal.reason === ABORT_CLIENT_GONE) {
        // The client went away: nothing to write to (moby logs this as status 499).
        api.log.info?.('request cancelled by client', {...fields, error: messageFromError(err), status: 499})
        return
      }
      if (status >= 500) {
        api.log.error?.(`Handler for ${method} ${route.path} returned error`, {
          ...fields,
          'error-response': messageFromError(err),
          status,
        })
      }
      if (res.headersSent) {
        // Mid-stream failure: the status line is gone; end the body cleanly.
        res.end()
        return
      }
      writeError(res, status, messageFromError(err), urlVersion)
    }
  }

  for (const r of initial) add(r)
  return {add, routes, match, handle}
}
