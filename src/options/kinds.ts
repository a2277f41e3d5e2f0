import {parseRAMInBytes} from '../opts/bytes.js'
import {formatGoValue, parseGoInt} from '../opts/go.js'
import {
  addRuntime,
  formatListOpt,
  formatUlimits,
  parseFeature,
  parseMapMapOpt,
  parseMapOpt,
  parseNriOpts,
  parseRuntime,
  parseUlimit,
  type Ulimit,
} from '../opts/maps.js'
import type {FileContext, FlagContext, ValueKind} from './types.js'

/** A daemon.json value of the wrong JSON type, in encoding/json's words. */
export class FileTypeError extends Error {}

/** encoding/json's description of a JSON value in type errors. */
function jsonKind(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return `number ${formatGoValue(v)}`
  if (typeof v === 'boolean') return 'bool'
  return typeof v
}

/** `json: cannot unmarshal X into Go struct field Config.<field> of type <type>`. */
export function typeError(v: unknown, field: string, type: string): FileTypeError {
  return new FileTypeError(`json: cannot unmarshal ${jsonKind(v).replace(/^number .*/, (s) => (type === 'int' ? s : 'number'))} into Go struct field Config.${field} of type ${type}`)
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * encoding/json into an int/int64: the literal must be an integer (no fraction, no exponent, so
 * `1.0` and `1e2` are refused) that fits 64 bits. `text` is the number as written in the file.
 */
export function checkGoInt(v: number, text: string | undefined, field: string, type: string): void {
  const literal = text ?? String(v)
  const fits = /^-?(0|[1-9]\d*)$/.test(literal) && BigInt(literal) >= INT64_MIN && BigInt(literal) <= INT64_MAX
  if (!fits) throw new FileTypeError(`json: cannot unmarshal number ${literal} into Go struct field Config.${field} of type ${type}`)
}

/** dockerd's merge "zero": unset, false, 0, '', [] and {} (§4.5). */
export function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true
  if (Array.isArray(v)) return v.length === 0
  if (typeof v === 'object') return Object.keys(v as object).length === 0
  return false
}

const strings = {type: 'string'}

/** The last of a repeated scalar flag wins (pflag), validated by the option's parser if any. */
const lastItem = (items: readonly string[], ctx: FlagContext): unknown => ctx.check(items.at(-1)!)

/** A JSON string in the file, unchanged. */
function fileString(v: unknown, ctx: FileContext): string {
  if (typeof v !== 'string') throw typeError(v, ctx.key, ctx.goType)
  return v
}

/** A file object whose members each pass `item`. */
function fileObject(v: unknown, ctx: FileContext, item?: (member: unknown, name: string) => void): Record<string, unknown> {
  if (!isObject(v)) throw typeError(v, ctx.key, ctx.goType)
  if (item) for (const [name, member] of Object.entries(v)) item(member, name)
  return v
}

/** Repeated `k=v`-like flag items folded into one object. */
function foldItems<T>(items: readonly string[], ctx: FlagContext, parse: (s: string) => T, put: (out: Record<string, unknown>, parsed: T, item: string) => void): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const item of items) put(out, ctx.one(item, parse) as T, item)
  return out
}

const fileStringMap = (type: string) => (v: unknown, ctx: FileContext) =>
  fileObject(v, ctx, (item) => {
    if (typeof item !== type) throw typeError(item, ctx.key, type === 'boolean' ? 'bool' : type)
  })

/**
 * The value kinds of dockerd's own options, each one object: how the flag is parsed, how the
 * file's JSON is accepted (with encoding/json's errors), its zero, its string form in conflict
 * messages, its JSON Schema and its help word. Plugins register more through `FlagSet.kinds`.
 */
export const BUILTIN_KINDS = [
  {
    description: 'true or false; `--flag`, `--flag=false`, `--no-flag`',
    flag: 'boolean',
    fromFile: (v, ctx) => {
      if (typeof v !== 'boolean') throw typeError(v, ctx.key, ctx.goType)
      return v
    },
    fromFlag: (raw) => Boolean(raw.at(-1) !== 'false'),
    goType: 'bool',
    // A file's `false` is kept over the flag side: encoding/json leaves no way to tell it from unset.
    keepZero: true,
    name: 'bool',
    schema: {type: 'boolean'},
    typeWord: '',
  },
  {
    description: 'a size such as `64M` or `1g`, on both sides; bytes in the configuration',
    flag: 'single',
    fromFile: (v) => {
      if (typeof v !== 'string') throw new FileTypeError(`invalid size: "${formatGoValue(v)}"`)
      return parseRAMInBytes(v)
    },
    fromFlag: lastItem,
    goType: 'string',
    name: 'bytes',
    schema: {pattern: '^[0-9]+(\\.[0-9]+)?\\s*([kKmMgGtTpP]([iI]?[bB])?|[bB])?$', type: 'string'},
    typeWord: 'bytes',
  },
  {
    description: '`--feature name[=bool]`, repeatable; file: an object of booleans',
    flag: 'multiple',
    fromFile: fileStringMap('boolean'),
    fromFlag: (items, ctx) => foldItems(items, ctx, parseFeature, (out, [k, v]) => (out[k] = v)),
    goType: 'map[string]bool',
    name: 'features',
    object: true,
    schema: {additionalProperties: {type: 'boolean'}, type: 'object'},
    typeWord: 'map',
  },
  {
    description: 'an integer (Go syntax on the command line; a JSON integer that fits 64 bits in the file)',
    flag: 'single',
    fromFile: (v, ctx) => {
      if (typeof v !== 'number') throw typeError(v, ctx.key, ctx.goType)
      checkGoInt(v, ctx.numberText(''), ctx.key, ctx.goType)
      return v
    },
    fromFlag: (items, ctx) => ctx.one(items.at(-1)!, parseGoInt),
    goType: 'int',
    name: 'int',
    schema: {type: 'integer'},
    typeWord: 'int',
  },
  {description: 'one IP address', flag: 'single', fromFile: fileString, fromFlag: lastItem, goType: 'string', name: 'ip', schema: strings, typeWord: 'ip'},
  {
    description: 'a repeatable string flag; file: an array of strings',
    flag: 'multiple',
    flagString: (v) => formatListOpt(v as string[]),
    fromFile: (v, ctx) => {
      if (!Array.isArray(v)) throw typeError(v, ctx.key, ctx.goType)
      for (const item of v) if (typeof item !== 'string') throw typeError(item, ctx.key, 'string')
      return v
    },
    fromFlag: (items, ctx) => items.map((item) => (ctx.check(item), item)),
    goType: '[]string',
    name: 'list',
    schema: {items: strings, type: 'array'},
    typeWord: 'list',
  },
  {
    description: '`--flag key=value`, repeatable; file: an object of strings',
    flag: 'multiple',
    fromFile: fileStringMap('string'),
    fromFlag: (items, ctx) => foldItems(items, ctx, parseMapOpt, (out, [k, v]) => (out[k] = v)),
    goType: 'map[string]string',
    name: 'map',
    object: true,
    schema: {additionalProperties: strings, type: 'object'},
    typeWord: 'map',
  },
  {
    description: '`--flag root=key=value`, repeatable; file: an object of objects of strings',
    flag: 'multiple',
    fromFile: (v, ctx) =>
      fileObject(v, ctx, (inner) => {
        if (!isObject(inner)) throw typeError(inner, ctx.key, 'map[string]string')
        for (const item of Object.values(inner)) if (typeof item !== 'string') throw typeError(item, ctx.key, 'string')
      }),
    fromFlag: (items, ctx) =>
      foldItems(items, ctx, parseMapMapOpt, (out, [root, k, v]) => (out[root] = {...(out[root] as object), [k]: v})),
    goType: 'map[string]map[string]string',
    name: 'mapmap',
    object: true,
    schema: {additionalProperties: {additionalProperties: strings, type: 'object'}, type: 'object'},
    typeWord: 'mapmap',
  },
  {
    description: '`enable=bool,plugin-path=…,plugin-config-path=…,socket-path=…`; file: that object',
    flag: 'single',
    fromFile: (v, ctx) => fileObject(v, ctx),
    fromFlag: (items, ctx) => ctx.one(items.at(-1)!, parseNriOpts),
    goType: 'opts.NRIOpts',
    name: 'nri-opts',
    object: true,
    schema: {
      additionalProperties: false,
      properties: {enable: {type: 'boolean'}, 'plugin-config-path': strings, 'plugin-path': strings, 'socket-path': strings},
      type: 'object',
    },
    typeWord: 'nri-opts',
  },
  {
    description: 'a free-form object, daemon.json only',
    flag: 'single',
    fromFile: (v, ctx) => fileObject(v, ctx),
    fromFlag: () => undefined,
    goType: 'string',
    name: 'object',
    object: true,
    schema: {type: 'object'},
    typeWord: 'object',
  },
  {
    description: '`--default-address-pool base=CIDR,size=N`, repeatable; file: an array of {base, size}',
    flag: 'multiple',
    fromFile: (v, ctx) => {
      if (!Array.isArray(v)) throw typeError(v, ctx.key, ctx.goType)
      for (const p of v) if (!isObject(p)) throw typeError(p, ctx.key, 'address.PoolsOpt')
      return v
    },
    fromFlag: (items, ctx) => items.map((item) => ctx.check(item)),
    goType: '[]*address.PoolsOpt',
    name: 'pools',
    schema: {items: {properties: {base: strings, size: {type: 'integer'}}, required: ['base', 'size'], type: 'object'}, type: 'array'},
    typeWord: 'pool-options',
  },
  {
    // dockerd leaves runtimes out of the flag/file conflict check.
    conflicts: false,
    description: '`--add-runtime name=path`, repeatable; file: an object name → {path, runtimeArgs, runtimeType, options}',
    flag: 'multiple',
    fromFile: (v, ctx) =>
      fileObject(v, ctx, (r) => {
        if (!isObject(r)) throw typeError(r, ctx.key, 'system.Runtime')
      }),
    fromFlag(items, ctx) {
      const out: Record<string, {path: string}> = {}
      for (const item of items) {
        const [name, path] = ctx.one(item, parseRuntime) as [string, string]
        ctx.one(item, () => addRuntime(out, name, path))
      }

      return out
    },
    goType: 'map[string]system.Runtime',
    name: 'runtimes',
    object: true,
    schema: {
      additionalProperties: {
        properties: {options: {type: 'object'}, path: strings, runtimeArgs: {items: strings, type: 'array'}, runtimeType: strings},
        type: 'object',
      },
      type: 'object',
    },
    typeWord: 'runtime',
  },
  {description: 'a string', flag: 'single', fromFile: fileString, fromFlag: lastItem, goType: 'string', name: 'string', schema: strings, typeWord: 'string'},
  {
    description: '`--default-ulimit name=soft[:hard]`, repeatable; file: an object name → {Name, Hard, Soft}',
    flag: 'multiple',
    flagString: (v) => formatUlimits(Object.values(v as Record<string, Ulimit>)),
    fromFile: (v, ctx) =>
      fileObject(v, ctx, (u, name) => {
        if (!isObject(u)) throw typeError(u, ctx.key, 'container.Ulimit')
        for (const f of ['Hard', 'Soft'] as const) {
          if (u[f] === undefined || u[f] === null) continue
          if (typeof u[f] !== 'number') throw typeError(u[f], `${ctx.key}.${f}`, 'int64')
          checkGoInt(u[f], ctx.numberText(`${name}/${f}`), `${ctx.key}.${f}`, 'int64')
        }
      }),
    fromFlag: (items, ctx) => foldItems(items, ctx, parseUlimit, (out, u) => (out[u.Name] = u)),
    goType: 'map[string]*container.Ulimit',
    name: 'ulimits',
    object: true,
    schema: {
      additionalProperties: {properties: {Hard: {type: 'integer'}, Name: strings, Soft: {type: 'integer'}}, type: 'object'},
      type: 'object',
    },
    typeWord: 'ulimit',
  },
] as const satisfies readonly ValueKind[]

/** The names of the built-in kinds (`OptionSpec.kind` of dockerd's own options). */
export type BuiltinKindName = (typeof BUILTIN_KINDS)[number]['name']

/** A kind's string form of a flag value in conflict messages (pflag's Value.String()). */
export function kindFlagString(kind: ValueKind, v: unknown): string {
  return kind.flagString ? kind.flagString(v) : formatGoValue(v)
}

/** A kind's zero test for the merge: its own, else dockerd's. */
export function kindIsZero(kind: ValueKind, v: unknown): boolean {
  return kind.isZero ? kind.isZero(v) : isZero(v)
}

/** Why an option's kind cannot be used, or undefined: one text for the plugin check and the table. */
export function unknownKindProblem(kind: unknown, known: Iterable<string>): string | undefined {
  const names = [...known]
  if (typeof kind === 'string' && names.includes(kind)) return undefined
  return `unknown kind ${kind === undefined ? 'undefined' : JSON.stringify(kind)} (valid kinds: ${names.sort().join(', ')})`
}
