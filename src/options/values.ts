import {parseRAMInBytes} from '../opts/bytes.js'
import {formatGoValue, parseGoInt} from '../opts/go.js'
import {parseFeature, parseMapMapOpt, parseMapOpt, parseNriOpts, parseUlimit, parseRuntime, addRuntime} from '../opts/maps.js'
import {flagDisplay} from './argv.js'
import type {OptionKind, OptionSpec} from './types.js'

/** A flag value that failed to parse, in pflag's words. */
export class FlagValueError extends Error {}

/** A daemon.json value of the wrong JSON type, in encoding/json's words. */
export class FileTypeError extends Error {}

type Raw = boolean | string | string[] | undefined

/** Converts what oclif parsed (strings) into the option's config value, validating each item. */
export function fromFlag(spec: OptionSpec, raw: Raw): unknown {
  if (raw === undefined) return undefined
  if (spec.kind === 'bool') return Boolean(raw)
  const items = Array.isArray(raw) ? raw : [String(raw)]
  const one = (item: string, fn: (s: string) => unknown) => {
    try {
      return fn(item)
    } catch (error) {
      throw new FlagValueError(`invalid argument "${item}" for "${flagDisplay(spec)}" flag: ${(error as Error).message}`)
    }
  }

  const check = (item: string) => (spec.parseValue ? one(item, spec.parseValue) : item)
  switch (spec.kind) {
    case 'int': {
      return one(items.at(-1)!, parseGoInt)
    }

    case 'bytes':
    case 'ip':
    case 'string': {
      const item = items.at(-1)!
      return spec.parseValue ? one(item, spec.parseValue) : item
    }

    case 'list': {
      return items.map((item) => {
        check(item)
        return item
      })
    }

    case 'map': {
      const out: Record<string, string> = {}
      for (const item of items) {
        const [k, v] = one(item, parseMapOpt) as [string, string]
        out[k] = v
      }

      return out
    }

    case 'features': {
      const out: Record<string, boolean> = {}
      for (const item of items) {
        const [k, v] = one(item, parseFeature) as [string, boolean]
        out[k] = v
      }

      return out
    }

    case 'mapmap': {
      const out: Record<string, Record<string, string>> = {}
      for (const item of items) {
        const [root, k, v] = one(item, parseMapMapOpt) as [string, string, string]
        out[root] = {...out[root], [k]: v}
      }

      return out
    }

    case 'ulimits': {
      const out: Record<string, unknown> = {}
      for (const item of items) {
        const u = one(item, parseUlimit) as {Name: string}
        out[u.Name] = u
      }

      return out
    }

    case 'runtimes': {
      const out: Record<string, {path: string}> = {}
      for (const item of items) {
        const [name, path] = one(item, parseRuntime) as [string, string]
        one(item, () => addRuntime(out, name, path))
      }

      return out
    }

    case 'pools': {
      return items.map((item) => check(item))
    }

    case 'nri-opts': {
      return one(items.at(-1)!, parseNriOpts)
    }

    case 'object': {
      return undefined
    }
  }
}

/** Go's type name of a kind, for "cannot unmarshal X into Go struct field Config.key of type T". */
function goType(kind: OptionKind): string {
  switch (kind) {
    case 'bool': {
      return 'bool'
    }

    case 'int': {
      return 'int'
    }

    case 'list': {
      return '[]string'
    }

    case 'map': {
      return 'map[string]string'
    }

    case 'features': {
      return 'map[string]bool'
    }

    case 'mapmap': {
      return 'map[string]map[string]string'
    }

    case 'pools': {
      return '[]*address.PoolsOpt'
    }

    case 'runtimes': {
      return 'map[string]system.Runtime'
    }

    case 'ulimits': {
      return 'map[string]*container.Ulimit'
    }

    case 'nri-opts': {
      return 'opts.NRIOpts'
    }

    default: {
      return 'string'
    }
  }
}

/** encoding/json's description of a JSON value in type errors. */
function jsonKind(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return `number ${formatGoValue(v)}`
  if (typeof v === 'boolean') return 'bool'
  return typeof v
}

function typeError(v: unknown, field: string, type: string): FileTypeError {
  return new FileTypeError(`json: cannot unmarshal ${jsonKind(v).replace(/^number .*/, (s) => (type === 'int' ? s : 'number'))} into Go struct field Config.${field} of type ${type}`)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * encoding/json into an int/int64: the literal must be an integer (no fraction, no exponent, so
 * `1.0` and `1e2` are refused) that fits 64 bits. `text` is the number as written in the file.
 */
function checkGoInt(v: number, text: string | undefined, field: string, type: string): void {
  const literal = text ?? String(v)
  const fits = /^-?(0|[1-9]\d*)$/.test(literal) && BigInt(literal) >= INT64_MIN && BigInt(literal) <= INT64_MAX
  if (!fits) throw new FileTypeError(`json: cannot unmarshal number ${literal} into Go struct field Config.${field} of type ${type}`)
}

/**
 * Checks a daemon.json value's JSON type and converts it to the option's config value. `null` is
 * "unset" (§4.5). Errors name the directive the way encoding/json does. `numberText(sub)` gives
 * a number's literal text in the file (sub: '' for the value itself, `nofile/Hard` inside it).
 */
export function fromFile(spec: OptionSpec, key: string, v: unknown, numberText: (sub: string) => string | undefined = () => undefined): unknown {
  if (v === null || v === undefined) return undefined
  const type = goType(spec.kind)
  switch (spec.kind) {
    case 'bool': {
      if (typeof v !== 'boolean') throw typeError(v, key, type)
      return v
    }

    case 'int': {
      if (typeof v !== 'number') throw typeError(v, key, type)
      checkGoInt(v, numberText(''), key, type)
      return v
    }

    case 'bytes': {
      if (typeof v !== 'string') throw new FileTypeError(`invalid size: "${formatGoValue(v)}"`)
      return parseRAMInBytes(v)
    }

    case 'ip':
    case 'string': {
      if (typeof v !== 'string') throw typeError(v, key, type)
      return v
    }

    case 'list': {
      if (!Array.isArray(v)) throw typeError(v, key, type)
      for (const item of v) if (typeof item !== 'string') throw typeError(item, key, 'string')
      return v
    }

    case 'map': {
      if (!isObject(v)) throw typeError(v, key, type)
      for (const item of Object.values(v)) if (typeof item !== 'string') throw typeError(item, key, 'string')
      return v
    }

    case 'features': {
      if (!isObject(v)) throw typeError(v, key, type)
      for (const item of Object.values(v)) if (typeof item !== 'boolean') throw typeError(item, key, 'bool')
      return v
    }

    case 'mapmap': {
      if (!isObject(v)) throw typeError(v, key, type)
      for (const inner of Object.values(v)) {
        if (!isObject(inner)) throw typeError(inner, key, 'map[string]string')
        for (const item of Object.values(inner)) if (typeof item !== 'string') throw typeError(item, key, 'string')
      }

      return v
    }

    case 'ulimits': {
      if (!isObject(v)) throw typeError(v, key, type)
      for (const [name, u] of Object.entries(v)) {
        if (!isObject(u)) throw typeError(u, key, 'container.Ulimit')
        for (const f of ['Hard', 'Soft'] as const) {
          if (u[f] === undefined || u[f] === null) continue
          if (typeof u[f] !== 'number') throw typeError(u[f], `${key}.${f}`, 'int64')
          checkGoInt(u[f], numberText(`${name}/${f}`), `${key}.${f}`, 'int64')
        }
      }

      return v
    }

    case 'runtimes': {
      if (!isObject(v)) throw typeError(v, key, type)
      for (const r of Object.values(v)) if (!isObject(r)) throw typeError(r, key, 'system.Runtime')
      return v
    }

    case 'pools': {
      if (!Array.isArray(v)) throw typeError(v, key, type)
      for (const p of v) if (!isObject(p)) throw typeError(p, key, 'address.PoolsOpt')
      return v
    }

    case 'nri-opts':
    case 'object': {
      if (!isObject(v)) throw typeError(v, key, type)
      return v
    }
  }
}

/** dockerd's merge fills "zero" file values from the flag side (§4.5). */
export function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true
  if (Array.isArray(v)) return v.length === 0
  if (typeof v === 'object') return Object.keys(v as object).length === 0
  return false
}

/** The flag side's string form in conflict messages (pflag's Value.String()). */
export function flagString(spec: OptionSpec, v: unknown): string {
  switch (spec.kind) {
    case 'list': {
      return (v as string[]).length === 0 ? '' : `[${(v as string[]).join(' ')}]`
    }

    case 'ulimits': {
      return `[${Object.values(v as Record<string, {Hard: number; Name: string; Soft: number}>)
        .map((u) => `${u.Name}=${u.Soft}:${u.Hard}`)
        .join(' ')}]`
    }

    default: {
      return formatGoValue(v)
    }
  }
}
