import {goJSONString} from '../go/json.js'
import {goQuote} from '../opts/go.js'

import type {Entry, Fields, Level} from './types.js'

// Pure logrus formatters (TextFormatter with FullTimestamp, its TTY variant, JSONFormatter).
// Each returns one line WITHOUT the trailing newline; the logger adds it.

/** logrus Level.String(): note `warning`, not `warn`. */
export const LEVEL_NAMES: Readonly<Record<Level, string>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  error: 'error',
  fatal: 'fatal',
  panic: 'panic',
}

/** logrus's level colours (its printColored: gray 37, blue 36, yellow 33, red 31). */
const LEVEL_OPEN: Readonly<Record<Level, string>> = {
  trace: '\u001B[37m',
  debug: '\u001B[37m',
  info: '\u001B[36m',
  warn: '\u001B[33m',
  error: '\u001B[31m',
  fatal: '\u001B[31m',
  panic: '\u001B[31m',
}
// logrus closes with a full reset (0m), not a per-colour close (39m).
const RESET = '\u001B[0m'
const FIXED_KEYS = new Set(['time', 'level', 'msg'])

// --- timestamp -------------------------------------------------------------------------

// Date has milliseconds only; the monotonic clock supplies the rest. Re-anchored when the
// wall clock moves away from the extrapolation (NTP step, suspend).
let anchorMs = Date.now()
let anchorHr = process.hrtime.bigint()
let lastNs = 0n

/** RFC3339NanoFixed in UTC: always 9 fractional digits, `Z`. */
export function timestamp(): string {
  const hr = process.hrtime.bigint()
  const wall = Date.now()
  let ns = BigInt(anchorMs) * 1_000_000n + (hr - anchorHr)
  const drift = Number(ns / 1_000_000n) - wall
  if (drift > 5 || drift < -5) {
    anchorMs = wall
    anchorHr = hr
    ns = BigInt(wall) * 1_000_000n
  }

  // A re-anchor (or a process descheduled between the two clock reads) must not make a later
  // line's stamp a few milliseconds earlier than an earlier line's; a real step of the clock
  // backwards (beyond 50 ms) is followed.
  if (ns < lastNs && lastNs - ns < 50_000_000n) ns = lastNs
  lastNs = ns
  const seconds = ns / 1_000_000_000n
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0')
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 19) + '.' + frac + 'Z'
}

// --- values ----------------------------------------------------------------------------

const BARE = /^[\w\-./@^+]*$/ // \w is [A-Za-z0-9_]: logrus allows `_` too

/** logrus needsQuoting: anything outside [A-Za-z0-9-._/@^+] (empty stays bare). */
export function needsQuoting(s: string): boolean {
  return !BARE.test(s)
}



export {goQuote}

/** fmt.Sprint-like rendering of a field value (Go shapes for slices and maps). */
export function stringify(v: unknown, depth = 0): string {
  switch (typeof v) {
    case 'string': return v
    case 'number':
    case 'bigint':
    case 'boolean': return String(v)
    case 'undefined': return '<nil>'
    case 'symbol': return v.toString()
    case 'function': return v.name ? `func ${v.name}` : 'func'
  }

  if (v === null) return '<nil>'
  if (v instanceof Error) return v.message
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()
  if (depth > 4) return '...'
  if (Array.isArray(v)) return '[' + v.map(x => stringify(x, depth + 1)).join(' ') + ']'
  if (v instanceof Map) {
    const parts = [...v].map(([k, x]) => `${stringify(k, depth + 1)}:${stringify(x, depth + 1)}`)
    return 'map[' + parts.sort().join(' ') + ']'
  }

  const own = v as Record<string, unknown>
  if (typeof own.toString === 'function' && own.toString !== Object.prototype.toString) return String(v)
  return 'map[' + Object.keys(own).sort().map(k => `${k}:${stringify(own[k], depth + 1)}`).join(' ') + ']'
}

function textValue(v: unknown): string {
  const s = stringify(v)
  return needsQuoting(s) ? goQuote(s) : s
}

/** logrus prefixFieldClashes: a field named time/level/msg becomes fields.<name>. */
function dataKeys(fields: Fields): Array<[key: string, value: unknown]> {
  const out: Array<[string, unknown]> = []
  for (const k of Object.keys(fields)) out.push([FIXED_KEYS.has(k) ? 'fields.' + k : k, fields[k]])
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

// --- formatters --------------------------------------------------------------------------

/** `time="…" level=info msg="…" a=b`: fixed keys first, then the fields sorted. */
export function formatText(entry: Entry): string {
  let out = 'time=' + textValue(entry.time) + ' level=' + LEVEL_NAMES[entry.level]
  if (entry.msg !== '') out += ' msg=' + textValue(entry.msg)
  for (const [k, v] of dataKeys(entry.fields)) out += ' ' + k + '=' + textValue(v)
  return out
}

/** Character count as Go's %-44s counts it (runes, not UTF-16 units). */
function padRunes(s: string, width: number): string {
  let n = 0
  for (const _ of s) if (++n >= width) return s
  return s + ' '.repeat(width - n)
}

/** logrus printColored: `\x1b[36mINFO\x1b[0m[time] msg-padded-to-44  \x1b[36mkey\x1b[0m=value`. */
export function formatTTY(entry: Entry): string {
  const open = LEVEL_OPEN[entry.level]
  const levelText = LEVEL_NAMES[entry.level].toUpperCase().slice(0, 4)
  const msg = entry.msg.endsWith('\n') ? entry.msg.slice(0, -1) : entry.msg
  let out = open + levelText + RESET + '[' + entry.time + '] ' + padRunes(msg, 44) + ' '
  // logrus colours the keys with the level's colour too.
  for (const [k, v] of dataKeys(entry.fields)) out += ' ' + open + k + RESET + '=' + textValue(v)
  return out
}

/** Go encoding/json for a string (HTMLEscape on, as logrus's JSONFormatter leaves it). */
const jsonString = (s: string): string => goJSONString(s)

function jsonValue(v: unknown, seen: Set<object>): string {
  switch (typeof v) {
    case 'string': return jsonString(v)
    case 'number': return Number.isFinite(v) ? String(v) : 'null'
    case 'bigint': return String(v)
    case 'boolean': return String(v)
    case 'undefined':
    case 'function':
    case 'symbol': return 'null'
  }

  if (v === null || typeof v !== 'object') return 'null'
  if (v instanceof Error) return jsonString(v.message)
  if (seen.has(v)) return '"[Circular]"'
  const toJSON = (v as {toJSON?: unknown}).toJSON
  if (typeof toJSON === 'function') return jsonValue(toJSON.call(v), seen)
  seen.add(v)
  try {
    if (Array.isArray(v)) return '[' + v.map(x => jsonValue(x, seen)).join(',') + ']'
    const obj = v instanceof Map ? Object.fromEntries(v) : (v as Record<string, unknown>)
    return jsonObject(Object.keys(obj).sort().map(k => [k, obj[k]]), seen)
  } finally {
    seen.delete(v)
  }
}

function jsonObject(pairs: Array<[string, unknown]>, seen: Set<object>): string {
  return '{' + pairs.map(([k, x]) => jsonString(k) + ':' + jsonValue(x, seen)).join(',') + '}'
}

/** logrus JSONFormatter: one object, keys sorted (a Go map), msg always present. */
export function formatJSON(entry: Entry): string {
  const pairs = dataKeys(entry.fields)
  pairs.push(['level', LEVEL_NAMES[entry.level]], ['msg', entry.msg], ['time', entry.time])
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return jsonObject(pairs, new Set())
}
