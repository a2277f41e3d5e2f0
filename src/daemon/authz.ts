// dockerd's authorization middleware, in front of an engine: every configured plugin sees the
// caller's identity, the route in the API's terms and, on routes whose body is JSON, the body
// itself — read here, up to a limit, and forwarded as exactly those bytes (engine-api-proxy §5:
// the policy and the engine see the same request, or the request is refused). Denials are logged in
// dockerd's words; allowed requests may come with a response filter (lists and events narrowed to
// what the caller may see).
import type {IncomingMessage} from 'node:http'

import {identityOf} from '../api/identity.js'
import {listen} from '../api/listen.js'
import type {AuthzTarget, AuthzVerdict, EngineBackend, ResponseFilter} from '../api/types.js'
import type {DaemonConfig} from '../config/types.js'
import type {LogSink} from '../log/types.js'
import type {FlagSet} from '../options/types.js'
import {parseRAMInBytes} from '../opts/bytes.js'
import {readUpgradeBody} from '../plugins/builtin/engine/forward.js'
import type {AuthorizationHandler, AuthorizationRequest, DockerdPlugin} from '../plugins/types.js'

/** The default inspection limit: moby's AuthZ plugins see bodies up to 1 MiB too. */
export const DEFAULT_BODY_LIMIT = 1 << 20

export const authzFlags: FlagSet = {
  helpGroup: 'DAEMON',
  id: 'authorization',
  owner: 'dockerd',
  options: [
    {
      default: () => DEFAULT_BODY_LIMIT,
      defaultHelp: '1MiB',
      description: 'Largest JSON request body authorization plugins inspect; a larger one is refused, never forwarded unseen',
      kind: 'bytes',
      name: 'authorization-body-limit',
      parseValue: parseRAMInBytes,
      reloadable: true,
      // A size past what a byte count can hold is refused, not taken as the default.
      validate: (v: number | string) => (bodyLimitOf(v, -1) < 0 ? `invalid authorization-body-limit: ${v}: not a byte count from 0 to ${Number.MAX_SAFE_INTEGER}` : undefined),
    },
  ],
}

/** The configured inspection limit in bytes; anything unreadable is the default, never "no limit". */
export function bodyLimitOf(value: unknown, fallback = DEFAULT_BODY_LIMIT): number {
  let n = typeof value === 'number' ? value : Number.NaN
  if (typeof value === 'string') {
    try {
      n = parseRAMInBytes(value)
    } catch {}
  }

  return Number.isSafeInteger(n) && n >= 0 ? n : fallback
}

/** The built-in that contributes the authorization options (the middleware itself is the daemon's). */
export const authorizationPlugin: DockerdPlugin = {flagSets: [authzFlags], name: 'authorization'}

/**
 * The engine routes whose request body is JSON the engine acts on: the daemon reads these bodies
 * for the policy. Others (build contexts, image tars, archives) stream through uninspected: the
 * engine reads no JSON from them.
 */
export const JSON_BODY_ROUTES: ReadonlySet<string> = new Set([
  'POST /containers/create',
  'POST /containers/{id}/update',
  // API < 1.24 still takes a HostConfig here, and the engine honours it.
  'POST /containers/{id}/start',
  'POST /containers/{id}/exec',
  'POST /exec/{id}/start',
  'POST /commit',
  'POST /volumes/create',
  'PUT /volumes/{name}',
  'POST /networks/create',
  'POST /networks/{id}/connect',
  'POST /networks/{id}/disconnect',
  'POST /services/create',
  'POST /services/{id}/update',
  'POST /swarm/init',
  'POST /swarm/join',
  'POST /swarm/update',
  'POST /swarm/unlock',
  'POST /nodes/{id}/update',
  'POST /secrets/create',
  'POST /secrets/{id}/update',
  'POST /configs/create',
  'POST /configs/{id}/update',
  'POST /plugins/pull',
  'POST /plugins/{name*}/upgrade',
  'POST /plugins/{name*}/set',
  'POST /auth',
])

export type ResolvedAuthz = Array<{handler: AuthorizationHandler; name: string}>

/** --authorization-plugin names → handlers of active plugins; an unknown name is an error naming it. */
export function resolveAuthorization(plugins: readonly DockerdPlugin[], config: DaemonConfig): ResolvedAuthz | string {
  const names = config.values['authorization-plugin'] ?? []
  const resolved: ResolvedAuthz = []
  for (const name of names) {
    const handler = plugins.find((p) => p.authorization?.[name])?.authorization?.[name]
    if (!handler) return `authorization plugin "${name}" not found: no installed plugin provides it`
    resolved.push({handler, name})
  }

  return resolved
}

/** `application/json`, with or without parameters (moby's CheckForJSON). */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false
  return value.split(';')[0].trim().toLowerCase() === 'application/json'
}

type BodyResult = {body?: Buffer; head?: Buffer} | {deny: {status: number; message: string}}

/** Reads the whole body of `req` when it is at most `limit` bytes (chunked or not). */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    const finish = (result: BodyResult): void => {
      stop()
      resolve(result)
    }

    const stop = listen(req, {
      aborted: () => finish({deny: {message: 'the request body could not be read', status: 400}}),
      data(chunk: Buffer) {
        if (over) return
        size += chunk.length
        if (size > limit) {
          over = true
          // The rest is discarded by node:http once the refusal is written.
          finish({deny: tooLarge(limit)})
          return
        }

        chunks.push(chunk)
      },
      end: () => finish({body: Buffer.concat(chunks, size)}),
      error: () => finish({deny: {message: 'the request body could not be read', status: 400}}),
    })
  })
}

const tooLarge = (limit: number) => ({
  message: `the request body is larger than the authorization inspection limit (${limit} bytes, --authorization-body-limit): refused, not forwarded unseen`,
  status: 413,
})

/** The body of a JSON route, read for the policy; refusals for what cannot be inspected. */
export async function inspectBody(req: IncomingMessage, target: AuthzTarget, limit: number): Promise<BodyResult> {
  const chunked = req.headers['transfer-encoding'] !== undefined
  const declared = req.headers['content-length']
  const length = declared === undefined ? (chunked ? -1 : 0) : Number(declared)
  if (length === 0 && !chunked) return {body: Buffer.alloc(0)}
  if (!isJsonContentType(req.headers['content-type'])) {
    const ct = req.headers['content-type'] ?? ''
    return {deny: {message: `unsupported Content-Type header (${ct}): must be 'application/json' on ${target.method} ${target.route ?? target.path}`, status: 400}}
  }

  if (length > limit) return {deny: tooLarge(limit)}
  if (target.upgrade) {
    // An upgrading request's body is in the bytes after its head (and maybe still on the socket).
    if (chunked) return {deny: {message: 'a request that upgrades its connection must send its body with Content-Length, not chunked', status: 400}}
    try {
      const {body, rest} = await readUpgradeBody(target.upgrade.socket, target.upgrade.head, length)
      return {body, head: Buffer.concat([body, rest])}
    } catch {
      return {deny: {message: 'the request body could not be read', status: 400}}
    }
  }

  return readBody(req, limit)
}

export interface AuthorizerOptions {
  /** The handlers in force (changes on reload). */
  handlers(): ResolvedAuthz
  /** The inspection limit in force. */
  bodyLimit(): number
  engine(): EngineBackend | undefined
  log: LogSink
}

/** Combines the response filters of several plugins: each narrows what the previous left. */
function combine(filters: ResponseFilter[]): ResponseFilter | undefined {
  if (filters.length === 0) return undefined
  if (filters.length === 1) return filters[0]
  return {
    event: (ev) => filters.every((f) => f.event?.(ev) ?? true),
    json: (body, status) => filters.reduce((b, f) => (f.json ? f.json(b, status) : b), body),
  }
}

/** The authorize function the API calls for every request (ApiContext.authorize). */
export function createAuthorizer(opts: AuthorizerOptions): (req: IncomingMessage, target: AuthzTarget) => Promise<AuthzVerdict | undefined> | undefined {
  return (req, target) => {
    const handlers = opts.handlers()
    if (handlers.length === 0) return undefined
    return decide(opts, handlers, req, target)
  }
}

async function decide(opts: AuthorizerOptions, handlers: ResolvedAuthz, req: IncomingMessage, target: AuthzTarget): Promise<AuthzVerdict> {
  const identity = identityOf(req.socket)
  const user = identity.method === 'tls' ? identity.name : ''
  let body: Buffer | undefined
  let head: Buffer | undefined
  const refuse = (status: number, message: string, plugin: string, rule?: string): AuthzVerdict => {
    opts.log.warn(`AuthZRequest for ${target.method} ${target.uri} returned error: ${message}`, {listener: identity.listener, user: identity.name || undefined})
    return {deny: {message, status}, record: {allow: false, msg: message, plugin, rule}}
  }

  if (target.forwarded && target.route && JSON_BODY_ROUTES.has(`${target.method} ${target.route}`)) {
    const read = await inspectBody(req, target, opts.bodyLimit())
    if ('deny' in read) return refuse(read.deny.status, read.deny.message, 'daemon', 'body-inspection')
    body = read.body
    head = read.head
  }

  const engine = opts.engine()
  const request: AuthorizationRequest = {
    body: body && body.length > 0 ? body : undefined,
    engine: engine ? {getJson: (path) => engine.getJson(path)} : undefined,
    headers: req.headers,
    identity,
    method: target.method,
    path: target.path,
    route: target.route,
    uri: target.uri,
    user,
    userAuthNMethod: user ? 'TLS' : '',
  }
  const filters: ResponseFilter[] = []
  let last: {plugin: string; rule?: string} = {plugin: ''}
  for (const {handler, name} of handlers) {
    let result
    try {
      result = await handler(request)
    } catch (error) {
      opts.log.error('authorization plugin failed', {error: (error as Error).message, plugin: name})
      return refuse(403, `authorization denied by plugin ${name}: plugin failed: ${(error as Error).message}`, name)
    }

    if (!result?.allow) {
      const msg = result?.msg ?? 'request denied'
      if (result?.notFound) {
        // As if it did not exist: the engine's own answer, without saying a policy is involved.
        opts.log.warn(`AuthZRequest for ${target.method} ${target.uri} returned error: authorization denied by plugin ${name}: hidden (${msg})`, {listener: identity.listener, user: identity.name || undefined})
        return {deny: {message: msg, status: 404}, record: {allow: false, msg, plugin: name, rule: result.rule}}
      }

      return refuse(403, `authorization denied by plugin ${name}: ${msg}`, name, result?.rule)
    }

    if (result.response) filters.push(result.response)
    last = {plugin: name, rule: result.rule}
  }

  return {body, head, record: {allow: true, plugin: last.plugin, rule: last.rule}, response: combine(filters)}
}
