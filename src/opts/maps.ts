import {OptsError} from './errors.js'
import {goFormatPrefix, goParsePrefix, goQuote, parseGoAtoi, parseGoBool, parseGoIntBig, readGoCSVRecord} from './go.js'

function cut(s: string, sep: string): [string, string, boolean] {
  const i = s.indexOf(sep)
  return i < 0 ? [s, '', false] : [s.slice(0, i), s.slice(i + sep.length), true]
}

/** ListOpts.String: `[a b]`, or "" for an empty list (so pflag shows no default). */
export function formatListOpt(values: readonly string[]): string {
  return values.length === 0 ? '' : '[' + values.join(' ') + ']'
}

/**
 * One `key=value` of a map flag (--log-opt, --storage-opt style MapOpts). moby accepts a value
 * without `=` as key with an empty value, so this never fails.
 */
export function parseMapOpt(value: string): [string, string] {
  const [k, v] = cut(value, '=')
  return [k, v]
}

/**
 * One --feature value: `name` (true) or `name=<bool>`. Errors: `invalid option name: <v>` for an
 * empty name, otherwise strconv.ParseBool's text.
 */
export function parseFeature(value: string): [string, boolean] {
  const [k, v, found] = cut(value, '=')
  if (k === '') throw new OptsError('invalid option name: ' + value)
  return [k, found ? parseGoBool(v) : true]
}

/** One --default-network-opt value `driver=key=value` → [driver, key, value]. */
export function parseMapMapOpt(value: string): [string, string, string] {
  const fail = () => new OptsError(`invalid value ${goQuote(value)} for map option, should be root-key=key=value`)
  const [root, rest, ok] = cut(value, '=')
  if (!ok) throw fail()
  const [k, v, ok2] = cut(rest, '=')
  if (!ok2) throw fail()
  return [root, k, v]
}

/** A container ulimit as dockerd stores it (JSON field names Name/Hard/Soft). */
export interface Ulimit {
  Hard: number
  Name: string
  Soft: number
}

const ULIMIT_NAMES = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
])

/**
 * go-units ParseUlimit: `name=soft[:hard]` (hard defaults to soft; -1 = unlimited). Errors:
 * `invalid ulimit argument: <v>`, `invalid ulimit type: <name>`, strconv.ParseInt's text,
 * `too many limit value arguments - <v>, can only have up to two, `soft[:hard]``,
 * `ulimit soft limit must be less than or equal to hard limit: <soft> > <hard>`.
 */
export function parseUlimit(value: string): Ulimit {
  const [name, limits, ok] = cut(value, '=')
  if (!ok) throw new OptsError(`invalid ulimit argument: ${value}`)
  if (!ULIMIT_NAMES.has(name)) throw new OptsError(`invalid ulimit type: ${name}`)
  const parts = limits.split(':')
  if (parts.length > 2) {
    throw new OptsError(`too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``)
  }

  const hard = parts.length === 2 ? parseGoIntBig(parts[1], 10, 64) : undefined
  const soft = parseGoIntBig(parts[0], 10, 64)
  const effectiveHard = hard ?? soft
  if (effectiveHard !== -1n) {
    if (soft === -1n) {
      throw new OptsError(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${effectiveHard}`)
    }

    if (soft > effectiveHard) {
      throw new OptsError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${effectiveHard}`)
    }
  }

  return {Hard: Number(effectiveHard), Name: name, Soft: Number(soft)}
}

/** Ulimit.String: `name=soft:hard`. */
export function formatUlimit(u: Ulimit): string {
  return `${u.Name}=${u.Soft}:${u.Hard}`
}

/** UlimitOpt.String: `[nofile=512:1024 core=1024:1024]` (Go prints map order; we keep insertion). */
export function formatUlimits(ulimits: Iterable<Ulimit>): string {
  return '[' + [...ulimits].map((u) => formatUlimit(u)).join(' ') + ']'
}

/** One default address pool; `base` is the prefix text ('' when not given), `size` 0 when not given. */
export interface AddressPool {
  base: string
  size: number
}

/**
 * moby's PoolsOpt.Set: a CSV record of `base=<prefix>` and `size=<int>` fields (keys
 * case-insensitive). Like moby, a repeated field overrides the earlier one and a missing field
 * keeps its zero value. Errors: encoding/csv's, `invalid field '<f>' must be a key=value pair`,
 * `invalid base prefix "<v>": <netip error>`, `invalid size value: "<whole value>" (must be
 * integer): <strconv error>`, `unexpected key '<k>' in '<f>'`.
 */
export function parseAddressPool(value: string): AddressPool {
  const pool: AddressPool = {base: '', size: 0}
  for (const field of readGoCSVRecord(value)) {
    const [key, val, ok] = cut(field.toLowerCase(), '=')
    if (!ok) throw new OptsError(`invalid field '${field}' must be a key=value pair`)
    switch (key) {
      case 'base': {
        try {
          pool.base = goFormatPrefix(goParsePrefix(val))
        } catch (error) {
          throw new OptsError(`invalid base prefix ${goQuote(val)}: ${(error as Error).message}`)
        }

        break
      }

      case 'size': {
        try {
          pool.size = parseGoAtoi(val)
        } catch (error) {
          throw new OptsError(`invalid size value: ${goQuote(value)} (must be integer): ${(error as Error).message}`)
        }

        break
      }

      default: {
        throw new OptsError(`unexpected key '${key}' in '${field}'`)
      }
    }
  }

  return pool
}

/** PoolsOpt.String: `<base> <size>` per pool joined with `, ` (Go prints `invalid Prefix` for none). */
export function formatAddressPools(pools: readonly AddressPool[]): string {
  return pools.map((p) => `${p.base === '' ? 'invalid Prefix' : p.base} ${p.size}`).join(', ')
}

/** The stock runtime's name, which --add-runtime may not redefine. */
export const STOCK_RUNTIME_NAME = 'runc'

/**
 * One --add-runtime value `name=path` → [name lower-cased and trimmed, path trimmed]. Errors:
 * `invalid runtime argument: <v>`, `runtime name 'runc' is reserved`.
 */
export function parseRuntime(value: string): [string, string] {
  const [rawName, rawPath, ok] = cut(value, '=')
  if (!ok) throw new OptsError(`invalid runtime argument: ${value}`)
  const name = rawName.trim()
  const path = rawPath.trim()
  if (name === '' || path === '') throw new OptsError(`invalid runtime argument: ${value}`)
  const lowered = name.toLowerCase()
  if (lowered === STOCK_RUNTIME_NAME) throw new OptsError(`runtime name '${STOCK_RUNTIME_NAME}' is reserved`)
  return [lowered, path]
}

/** Adds a parsed runtime to the flag's map; a repeated name fails with `runtime '<name>' was already defined`. */
export function addRuntime(runtimes: Record<string, {path: string}>, name: string, path: string): void {
  if (Object.hasOwn(runtimes, name)) throw new OptsError(`runtime '${name}' was already defined`)
  runtimes[name] = {path}
}

/** --nri-opts / daemon.json `nri-opts`, keyed by the JSON tags. */
export interface NriOpts {
  enable: boolean
  'plugin-config-path': string
  'plugin-path': string
  'socket-path': string
}

/**
 * moby's NamedNRIOpts.Set: a CSV record of `enable[=bool]`, `plugin-path=…`, `plugin-config-path=…`,
 * `socket-path=…`, applied over `base` (pflag reuses one value across repeated flags). Errors:
 * encoding/csv's, `invalid value for NRI enable "<v>": <ParseBool error>`,
 * `unexpected key '<k>' in '<field>'`.
 */
export function parseNriOpts(value: string, base?: NriOpts): NriOpts {
  const out: NriOpts = base ? {...base} : {enable: false, 'plugin-config-path': '', 'plugin-path': '', 'socket-path': ''}
  for (const field of readGoCSVRecord(value)) {
    const [key, val] = cut(field, '=')
    switch (key) {
      case 'enable': {
        const v = val === '' ? 'true' : val
        try {
          out.enable = parseGoBool(v)
        } catch (error) {
          throw new OptsError(`invalid value for NRI enable ${goQuote(v)}: ${(error as Error).message}`)
        }

        break
      }

      case 'plugin-path':
      case 'plugin-config-path':
      case 'socket-path': {
        out[key] = val
        break
      }

      default: {
        throw new OptsError(`unexpected key '${key}' in '${field}'`)
      }
    }
  }

  return out
}

/** NamedNRIOpts.String: `enable=<bool>` then the non-empty paths (the flag's help default is `enable=false`). */
export function formatNriOpts(v: NriOpts): string {
  const parts = [`enable=${v.enable}`]
  if (v['plugin-path'] !== '') parts.push('plugin-path=' + v['plugin-path'])
  if (v['plugin-config-path'] !== '') parts.push('plugin-config-path=' + v['plugin-config-path'])
  if (v['socket-path'] !== '') parts.push('socket-path=' + v['socket-path'])
  return parts.join(',')
}
