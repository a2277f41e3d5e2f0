// The request path as an ordered list of named middleware (version → identity → authorization →
// observe → route), and where plugins put theirs: right before or after a built-in position.
// Assembled once per server; a plugin middleware at an unknown position is refused, naming the
// plugin (the daemon does not start without it: a skipped policy would fail open).
import type {Middleware, MiddlewarePosition, PluginMiddleware} from './types.js'

/** The built-in positions in the order requests pass them. */
export const MIDDLEWARE_POSITIONS: readonly MiddlewarePosition[] = ['version', 'identity', 'authorization', 'observe', 'route']

/** A plugin's middleware that cannot be placed. */
export class MiddlewareError extends Error {
  constructor(
    readonly plugin: string,
    message: string,
  ) {
    super(`plugin ${plugin}: ${message}`)
  }
}

/** The middleware a plugin contributes, with the plugin's name for errors. */
export interface MiddlewareContribution {
  plugin: string
  middleware: readonly PluginMiddleware[]
}

const quote = (s: unknown): string => JSON.stringify(String(s))

/** Why `m` cannot be placed, or undefined. */
function problem(m: PluginMiddleware, taken: ReadonlySet<string>): string | undefined {
  if (typeof m?.name !== 'string' || m.name === '') return 'a middleware without a name'
  const what = `middleware ${quote(m.name)}`
  if (taken.has(m.name)) return `${what}: the name is already in the list`
  if (m.request !== undefined && typeof m.request !== 'function') return `${what}: request is not a function`
  if (m.done !== undefined && typeof m.done !== 'function') return `${what}: done is not a function`
  if (!m.request && !m.done) return `${what}: neither a request nor a done hook`
  const known = `known positions: ${MIDDLEWARE_POSITIONS.join(', ')}`
  if ((m.after === undefined) === (m.before === undefined)) return `${what}: give exactly one position, "after" or "before" (${known})`
  const at = m.after ?? m.before
  if (!MIDDLEWARE_POSITIONS.includes(at!)) return `${what}: unknown position ${m.after === undefined ? 'before' : 'after'} ${quote(at)} (${known})`
  if (m.after === 'route') return `${what}: nothing runs after "route" (it answers the request); use "before", or a done hook`
  return undefined
}

/**
 * The list: the built-ins in order, each plugin's middleware right before or after its position
 * (several at one position keep the plugins' order). Throws MiddlewareError naming the plugin.
 */
export function assembleMiddleware(builtins: readonly Middleware[], contributions: readonly MiddlewareContribution[] = []): Middleware[] {
  const before = new Map<string, Middleware[]>()
  const after = new Map<string, Middleware[]>()
  const taken = new Set<string>(builtins.map((m) => m.name))
  for (const {plugin, middleware} of contributions) {
    for (const m of middleware) {
      const why = problem(m, taken)
      if (why) throw new MiddlewareError(plugin, why)
      taken.add(m.name)
      const [where, at] = m.after === undefined ? [before, m.before!] : [after, m.after]
      where.set(at, [...(where.get(at) ?? []), m])
    }
  }

  const list: Middleware[] = []
  for (const b of builtins) list.push(...(before.get(b.name) ?? []), b, ...(after.get(b.name) ?? []))
  return list
}
