// The `filters` query parameter (moby daemon/internal/filters) and the event filter
// (moby daemon/events/filter.go). Values are kept as Go keeps them, a set with a bool per
// value, because `{"type":{"daemon":false}}` is legal JSON with its own (odd) meaning.
import {invalidParameter} from './errors.js'
import type {DaemonEvent} from './types.js'

export type FilterArgs = Map<string, Map<string, boolean>>

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// json.Unmarshal into map[string]map[string]bool; null values decode to the zero value.
function asBoolMaps(doc: Record<string, unknown>): FilterArgs | undefined {
  const out: FilterArgs = new Map()
  for (const [key, values] of Object.entries(doc)) {
    if (values === null) {
      out.set(key, new Map())
      continue
    }
    if (!isObject(values)) return undefined
    const set = new Map<string, boolean>()
    for (const [v, b] of Object.entries(values)) {
      if (b !== null && typeof b !== 'boolean') return undefined
      set.set(v, b === true)
    }
    out.set(key, set)
  }
  return out
}

// The legacy form, map[string][]string: every listed value counts as true.
function asLists(doc: Record<string, unknown>): FilterArgs | undefined {
  const out: FilterArgs = new Map()
  for (const [key, values] of Object.entries(doc)) {
    if (values === null) {
      out.set(key, new Map())
      continue
    }
    if (!Array.isArray(values)) return undefined
    const set = new Map<string, boolean>()
    for (const v of values) {
      if (v !== null && typeof v !== 'string') return undefined
      set.set(v ?? '', true)
    }
    out.set(key, set)
  }
  return out
}

/** filters.FromJSON: `""` means no filter; anything unparsable is a 400 `invalid filter`. */
export function parseFilters(text: string): FilterArgs {
  if (text === '') return new Map()
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw invalidParameter('invalid filter')
  }
  if (doc === null) return new Map()
  const args = isObject(doc) ? (asBoolMaps(doc) ?? asLists(doc)) : undefined
  if (!args) throw invalidParameter('invalid filter')
  return args
}

/** Args.ExactMatch: no (or an empty) filter matches everything. */
export function exactMatch(args: FilterArgs, key: string, source: string): boolean {
  const values = args.get(key)
  if (!values || values.size === 0) return true
  return values.get(source) === true
}

/** Args.FuzzyMatch: exact, or one of the values is a prefix of source. */
export function fuzzyMatch(args: FilterArgs, key: string, source: string): boolean {
  if (exactMatch(args, key, source)) return true
  for (const prefix of args.get(key)?.keys() ?? []) {
    if (source.startsWith(prefix)) return true
  }
  return false
}

/** Args.MatchKVList: every `key` or `key=value` filter value must be in sources. */
export function matchKVList(args: FilterArgs, key: string, sources: Record<string, string>): boolean {
  const values = args.get(key)
  if (!values || values.size === 0) return true
  const entries = Object.keys(sources)
  if (entries.length === 0) return false
  for (const value of values.keys()) {
    const eq = value.indexOf('=')
    const k = eq < 0 ? value : value.slice(0, eq)
    if (!Object.hasOwn(sources, k)) return false
    if (eq >= 0 && sources[k] !== value.slice(eq + 1)) return false
  }
  return true
}

// Object types whose filter key matches the actor ID or its `name` attribute by prefix.
const NAME_KEYS = ['daemon', 'container', 'plugin', 'volume', 'network', 'node', 'service', 'secret', 'config']
// An `event` filter with one of these falls back to prefix matching (moby#25798).
const FUZZY_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start'])

// reference.FamiliarName(ParseNormalizedNamed(x)) for the common cases: drop digest and tag,
// and the implicit docker.io[/library] prefix. Anything that is not a plain name stays as is.
export function stripImageTag(image: string): string {
  if (/^[a-f0-9]{64}$/.test(image)) return image
  let name = image
  const at = name.indexOf('@')
  if (at >= 0) name = name.slice(0, at)
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  if (colon > slash) name = name.slice(0, colon)
  if (name === '' || /[A-Z]/.test(name)) return image
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (name.startsWith(prefix)) {
      const rest = name.slice(prefix.length)
      // docker.io/library/foo/bar keeps `library/` since it is not an official image.
      return prefix.endsWith('library/') && rest.includes('/') ? 'library/' + rest : rest
    }
  }
  return name
}

/** daemon/events Filter.Include. */
export function eventMatches(args: FilterArgs, ev: DaemonEvent): boolean {
  if (args.size === 0) return true
  const attrs = ev.Actor.Attributes
  const eventValues = args.get('event')
  const actionOk =
    eventValues && [...eventValues.keys()].some((v) => FUZZY_ACTIONS.has(v))
      ? fuzzyMatch(args, 'event', ev.Action)
      : exactMatch(args, 'event', ev.Action)
  if (!actionOk || !exactMatch(args, 'type', ev.Type)) return false
  if (args.has('scope') && !exactMatch(args, 'scope', ev.scope)) return false
  for (const key of NAME_KEYS) {
    if (!fuzzyMatch(args, key, ev.Actor.ID) && !fuzzyMatch(args, key, attrs.name ?? '')) return false
  }
  const imageName = (ev.Type === 'image' ? attrs.name : attrs.image) ?? ''
  const imageOk =
    exactMatch(args, 'image', ev.Actor.ID) ||
    exactMatch(args, 'image', imageName) ||
    exactMatch(args, 'image', stripImageTag(ev.Actor.ID)) ||
    exactMatch(args, 'image', stripImageTag(imageName))
  if (!imageOk) return false
  return !args.has('label') || matchKVList(args, 'label', attrs)
}
