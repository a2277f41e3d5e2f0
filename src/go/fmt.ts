// Go's fmt `%v` of decoded JSON values, and the byte-wise string order fmt and slices.Sort use.
import {formatGoFloat} from './strconv.js'

/** Byte-wise comparison of two strings, as Go's `<` on strings (slices.Sort) orders them. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * Go's `%v` of a value decoded from JSON into interface{}: strings raw, `true`/`false`, null
 * `<nil>`, numbers as float64 (`8`, `1.5`, `1e+06`), arrays `[a b]`, objects `map[k:v]` with keys
 * sorted byte-wise (fmt sorts map keys).
 */
export function formatGoValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>'
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') return formatGoFloat(v, 'g', -1)
  if (typeof v === 'bigint') return v.toString()
  if (Array.isArray(v)) return '[' + v.map((item) => formatGoValue(item)).join(' ') + ']'
  if (v instanceof Map) {
    const keys = [...v.keys()].map(String).sort(compareGoStrings)
    return 'map[' + keys.map((k) => `${k}:${formatGoValue(v.get(k))}`).join(' ') + ']'
  }

  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>
    const keys = Object.keys(obj).sort(compareGoStrings)
    return 'map[' + keys.map((k) => `${k}:${formatGoValue(obj[k])}`).join(' ') + ']'
  }

  return String(v)
}
