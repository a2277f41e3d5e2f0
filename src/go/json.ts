// JSON as Go's encoding/json decodes it into a struct, for policies that must decide on what the
// engine will really parse: field names match case-insensitively (Unicode simple folding: `ſ` is an
// `s`, the Kelvin sign a `k`), a later duplicate key wins, `null` leaves a non-pointer field as it
// was, objects decoded twice into the same struct or map merge. JSON.parse keeps none of that, so
// `{"Privileged":false,"privileged":true}` would read as not privileged while the engine runs it so.
// (config/json.ts imports GoObject from here: the cycle is fine, both are used only at call time.)
import {parseJson} from '../config/json.js'

/** A JSON object with its keys in order, duplicates kept. */
export class GoObject {
  constructor(
    readonly entries: ReadonlyArray<readonly [string, GoJson]>,
    /** Where each key starts in the text (UTF-16 offsets), when parsed from text: for messages. */
    readonly offsets?: readonly number[],
  ) {}
}

/** The 1-based line of a text offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1
  for (let j = 0; j < offset && j < text.length; j++) if (text.charCodeAt(j) === 10) line++
  return line
}

export type GoJson = null | boolean | number | string | GoJson[] | GoObject

/**
 * Parses one JSON value as the engine's decoder reads it: bytes as UTF-8 (invalid sequences become
 * U+FFFD, as in Go; a byte-order mark is an error, as in Go), objects as GoObject with every key in
 * order. Trailing data other than white space is an error: the engine's decoder would ignore it, a
 * policy must not. Throws JsonSyntaxError (with the offset) in encoding/json's words.
 */
export function parseGoJson(input: Uint8Array | string): GoJson {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', {fatal: false, ignoreBOM: true}).decode(input)
  return parseJson(text, {ordered: true}).value as GoJson
}

const folders = new Map<string, RegExp>()

/**
 * Whether Go's encoding/json would take `key` for the field `name`: equal under Unicode simple
 * case folding (bytes.EqualFold). A JavaScript regular expression with the `iu` flags folds by the
 * same table (CaseFolding.txt, simple and common mappings).
 */
export function goFoldEqual(key: string, name: string): boolean {
  if (key === name) return true
  let re = folders.get(name)
  if (!re) {
    re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'iu')
    if (folders.size < 1024) folders.set(name, re)
  }

  return re.test(key)
}

/**
 * How a Go field of this kind takes repeated keys and `null`:
 * - `value`: a non-pointer scalar (bool, string, number): the last non-null value wins (null is a no-op);
 * - `nullable`: a pointer or a slice: the last value wins, null included (nil);
 * - `struct`: a non-pointer struct: every object merges into it, null is a no-op;
 * - `pointer`: a pointer to a struct, or a map: objects merge, a null resets it to nil.
 */
export type GoKind = 'value' | 'nullable' | 'struct' | 'pointer'

/**
 * The value Go would end up with in the field `name` of a struct decoded from `obj` (undefined:
 * never set, or nil). For the merging kinds the result is one GoObject holding every entry in
 * order (read it again with goField, or goMapEntries for a map); a value of the wrong JSON type is
 * returned as is, for the caller to refuse.
 */
export function goField(obj: GoJson | undefined, name: string, kind: GoKind = 'value'): GoJson | undefined {
  if (!(obj instanceof GoObject)) return undefined
  let result: GoJson | undefined
  let merged: Array<readonly [string, GoJson]> | undefined
  for (const [key, v] of obj.entries) {
    if (!goFoldEqual(key, name)) continue
    if (kind === 'value') {
      if (v !== null) result = v
    } else if (kind === 'nullable') {
      result = v === null ? undefined : v
    } else if (v === null) {
      if (kind === 'pointer') merged = undefined
    } else if (v instanceof GoObject) {
      merged = [...(merged ?? []), ...v.entries]
    } else {
      // Go fails the whole decode on a type mismatch: hand the wrong value back to be refused.
      return v
    }
  }

  if (kind === 'struct' || kind === 'pointer') return merged ? new GoObject(merged) : undefined
  return result
}

/** A decoded Go map (keys exact, the last duplicate wins), in first-seen key order. */
export function goMapEntries(obj: GoJson | undefined): Array<[string, GoJson]> {
  if (!(obj instanceof GoObject)) return []
  const map = new Map<string, GoJson>()
  for (const [k, v] of obj.entries) map.set(k, v)
  return [...map]
}

/** Go's path.Clean (lexical: `..` and `.` resolved, slashes collapsed). */
export function goCleanPath(p: string): string {
  if (p === '') return '.'
  const rooted = p.startsWith('/')
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop()
      else if (!rooted) out.push('..')
    } else {
      out.push(part)
    }
  }

  const joined = out.join('/')
  return rooted ? '/' + joined : joined || '.'
}

// ---------------------------------------------------------------------------------------------
// Encoding: what JSON.stringify writes, with Go's escaping on top.

const HTML_CHARS = /[<>&\u2028\u2029]/g
const LINE_SEPS = /[\u2028\u2029]/g
const escapeChar = (c: string): string => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')

// A lone surrogate is invalid UTF-8 to Go, whose encoder writes `\ufffd` for it; JSON.stringify
// writes `\udXXX`. Escapes are matched left to right, so an escaped backslash (`\\`) is consumed
// whole and never read as the start of one.
const ESCAPES = /\\(?:\\|u(d[89a-f][0-9a-f]{2}))/g
const fixSurrogate = (m: string, surrogate: string | undefined): string => (surrogate === undefined ? m : '\\ufffd')

/**
 * JSON text as Go's json.Marshal / json.Encoder writes it (without the Encoder's newline): U+2028
 * and U+2029 always escaped, `<`, `>`, `&` too unless HTML escaping is off (SetEscapeHTML(false));
 * those characters can only occur inside strings, so a textual replacement is safe.
 */
export function goJSONMarshal(value: unknown, escapeHTML = true): string {
  let text = JSON.stringify(value) ?? 'null'
  if (text.includes('\\ud')) text = text.replace(ESCAPES, fixSurrogate)
  return text.replace(escapeHTML ? HTML_CHARS : LINE_SEPS, escapeChar)
}

/** json.Marshal of a string. */
export function goJSONString(s: string, escapeHTML = true): string {
  return goJSONMarshal(s, escapeHTML)
}
