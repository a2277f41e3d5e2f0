// The Engine API routes an engine serves (moby's routers other than system): one table used to
// tell an engine route from a mistyped path (501 "no engine" vs 404), to label forwarded requests
// for metrics and audit without a label per container ID, and by policies that name routes in the
// API's own terms (`/containers/{id}/archive`).

/** `METHOD /path` with `{name}` for one segment and `{name*}` for names that may hold slashes. */
export const ENGINE_ROUTES: readonly string[] = [
  // containers (moby router/container)
  'GET /containers/json',
  'GET /containers/{id}/export',
  'GET /containers/{id}/changes',
  'GET /containers/{id}/json',
  'GET /containers/{id}/top',
  'GET /containers/{id}/logs',
  'GET /containers/{id}/stats',
  'GET /containers/{id}/attach/ws',
  'GET /containers/{id}/archive',
  'HEAD /containers/{id}/archive',
  'PUT /containers/{id}/archive',
  'POST /containers/create',
  'POST /containers/prune',
  'POST /containers/{id}/kill',
  'POST /containers/{id}/pause',
  'POST /containers/{id}/unpause',
  'POST /containers/{id}/restart',
  'POST /containers/{id}/start',
  'POST /containers/{id}/stop',
  'POST /containers/{id}/wait',
  'POST /containers/{id}/resize',
  'POST /containers/{id}/attach',
  'POST /containers/{id}/exec',
  'POST /containers/{id}/rename',
  'POST /containers/{id}/update',
  'DELETE /containers/{id}',
  'GET /exec/{id}/json',
  'POST /exec/{id}/start',
  'POST /exec/{id}/resize',
  // images (router/image); names hold slashes (`registry/ns/name:tag`)
  'GET /images/json',
  'GET /images/search',
  'GET /images/get',
  'POST /images/create',
  'POST /images/load',
  'POST /images/prune',
  'POST /commit',
  'GET /images/{name*}/get',
  'GET /images/{name*}/history',
  'GET /images/{name*}/json',
  'POST /images/{name*}/push',
  'POST /images/{name*}/tag',
  'DELETE /images/{name*}',
  'GET /distribution/{name*}/json',
  // build (router/build), BuildKit sessions (router/session, router/grpc)
  'POST /build',
  'POST /build/prune',
  'POST /build/cancel',
  'POST /session',
  'POST /grpc',
  // networks and volumes
  'GET /networks',
  'GET /networks/{id}',
  'POST /networks/create',
  'POST /networks/prune',
  'POST /networks/{id}/connect',
  'POST /networks/{id}/disconnect',
  'DELETE /networks/{id}',
  'GET /volumes',
  'GET /volumes/{name}',
  'POST /volumes/create',
  'POST /volumes/prune',
  'PUT /volumes/{name}',
  'DELETE /volumes/{name}',
  // system routes the daemon does not own
  'GET /system/df',
  'POST /auth',
  // swarm (router/swarm)
  'GET /swarm',
  'GET /swarm/unlockkey',
  'POST /swarm/init',
  'POST /swarm/join',
  'POST /swarm/leave',
  'POST /swarm/update',
  'POST /swarm/unlock',
  'GET /services',
  'GET /services/{id}',
  'GET /services/{id}/logs',
  'POST /services/create',
  'POST /services/{id}/update',
  'DELETE /services/{id}',
  'GET /nodes',
  'GET /nodes/{id}',
  'POST /nodes/{id}/update',
  'DELETE /nodes/{id}',
  'GET /tasks',
  'GET /tasks/{id}',
  'GET /tasks/{id}/logs',
  'GET /secrets',
  'GET /secrets/{id}',
  'POST /secrets/create',
  'POST /secrets/{id}/update',
  'DELETE /secrets/{id}',
  'GET /configs',
  'GET /configs/{id}',
  'POST /configs/create',
  'POST /configs/{id}/update',
  'DELETE /configs/{id}',
  // plugins (router/plugin); names hold slashes and tags
  'GET /plugins',
  'GET /plugins/privileges',
  'POST /plugins/pull',
  'POST /plugins/create',
  'GET /plugins/{name*}/json',
  'POST /plugins/{name*}/enable',
  'POST /plugins/{name*}/disable',
  'POST /plugins/{name*}/push',
  'POST /plugins/{name*}/upgrade',
  'POST /plugins/{name*}/set',
  'DELETE /plugins/{name*}',
]

/** The first path segments an engine serves: a request under one of them is an engine request. */
export const ENGINE_SECTIONS: ReadonlySet<string> = new Set(ENGINE_ROUTES.map((r) => sectionOf(r.slice(r.indexOf(' ') + 1))))

/** One compiled route pattern: the method, the pattern text and its parameters in order. */
export interface RoutePattern {
  method: string
  pattern: string
  params: string[]
  regex: RegExp
}

/**
 * Compiles `METHOD /path/{id}` (or a pattern without a method, which matches any) into a matcher.
 * `{name}` takes one non-empty segment, `{name*}` one or more. Throws naming the bad pattern.
 */
export function compileRoutePattern(spec: string): RoutePattern {
  const space = spec.indexOf(' ')
  const method = space < 0 ? '*' : spec.slice(0, space).toUpperCase()
  const pattern = space < 0 ? spec : spec.slice(space + 1)
  if (!pattern.startsWith('/')) throw new Error(`route pattern ${JSON.stringify(spec)} must start with "/"`)
  const params: string[] = []
  let source = ''
  for (const part of pattern.slice(1).split('/')) {
    const m = /^\{(\w+)(\*?)\}$/.exec(part)
    if (m) {
      params.push(m[1])
      source += m[2] ? '/(.+?)' : '/([^/]+)'
    } else if (/[{}]/.test(part)) {
      throw new Error(`route pattern ${JSON.stringify(spec)}: "${part}" is not a literal or a {name} parameter`)
    } else if (part === '*') {
      source += '(?:/.*)?'
    } else {
      source += '/' + part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    }
  }

  return {method, params, pattern, regex: new RegExp(`^${source || '/'}$`)}
}

/** The parameters of `path` under `p` (or undefined when it does not match). */
export function matchRoutePattern(p: RoutePattern, method: string, path: string): Record<string, string> | undefined {
  if (p.method !== '*' && p.method !== method) return undefined
  const m = p.regex.exec(path)
  if (!m) return undefined
  const out: Record<string, string> = {}
  for (const [i, name] of p.params.entries()) out[name] = m[i + 1]
  return out
}

// Compiled on first use: a daemon without an engine or observers never needs them.
let bySection: Map<string, RoutePattern[]> | undefined

function patternsBySection(): Map<string, RoutePattern[]> {
  if (bySection) return bySection
  bySection = new Map()
  for (const spec of ENGINE_ROUTES) {
    const p = compileRoutePattern(spec)
    const section = sectionOf(p.pattern)
    const list = bySection.get(section) ?? []
    list.push(p)
    bySection.set(section, list)
  }

  return bySection
}

/** `/containers/abc/logs` → `containers`. */
export function sectionOf(path: string): string {
  const end = path.indexOf('/', 1)
  return path.slice(1, end < 0 ? undefined : end)
}

/** `/containers/abc/logs` → `/containers/{id}/logs`, or undefined for a path the engine does not serve. */
export function engineRouteOf(method: string, path: string): string | undefined {
  for (const p of patternsBySection().get(sectionOf(path)) ?? []) if (matchRoutePattern(p, method, path)) return p.pattern
  return undefined
}
