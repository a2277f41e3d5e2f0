// Go standard-library behaviour that dockerd's messages and value formats depend on: strconv,
// fmt's %v, net/netip, net, net/url and encoding/csv. Each piece reproduces the Go 1.26 rules that
// moby is built with (Dockerfile GO_VERSION 1.26.x), because the error texts are the contract.
import {OptsError} from './errors.js'

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', {fatal: false})

const utf8 = (s: string): Uint8Array => utf8Encoder.encode(s)
const fromUtf8 = (b: Uint8Array): string => utf8Decoder.decode(b)

/** Byte-wise comparison of two strings, as Go's `<` on strings (slices.Sort) orders them. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

// ---------------------------------------------------------------------------------------------
// strconv.Quote

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u

function isGoPrint(r: number): boolean {
  return r === 0x20 || printable.test(String.fromCodePoint(r))
}

/** Decodes one UTF-8 sequence; returns [-1, 1] for an invalid byte, as Go's RuneError width 1. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i]
  if (c0 < 0x80) return [c0, 1]
  let need: number
  if (c0 >= 0xc2 && c0 <= 0xdf) need = 1
  else if (c0 >= 0xe0 && c0 <= 0xef) need = 2
  else if (c0 >= 0xf0 && c0 <= 0xf4) need = 3
  else return [-1, 1]
  if (i + need > b.length - 1) return [-1, 1]
  let r = need === 1 ? c0 & 0x1f : need === 2 ? c0 & 0x0f : c0 & 0x07
  for (let k = 1; k <= need; k++) {
    const c = b[i + k]
    if ((c & 0xc0) !== 0x80) return [-1, 1]
    r = (r << 6) | (c & 0x3f)
  }

  const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000
  if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return [-1, 1]
  return [r, need + 1]
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0')

function escapeRune(r: number): string {
  if (r === 0x22 || r === 0x5c) return '\\' + String.fromCodePoint(r)
  if (isGoPrint(r)) return String.fromCodePoint(r)
  switch (r) {
    case 0x07: {
      return '\\a'
    }

    case 0x08: {
      return '\\b'
    }

    case 0x0c: {
      return '\\f'
    }

    case 0x0a: {
      return '\\n'
    }

    case 0x0d: {
      return '\\r'
    }

    case 0x09: {
      return '\\t'
    }

    case 0x0b: {
      return '\\v'
    }
  }

  if (r < 0x20 || r === 0x7f) return '\\x' + hex2(r)
  if (r < 0x10000) return '\\u' + r.toString(16).padStart(4, '0')
  return '\\U' + r.toString(16).padStart(8, '0')
}

/** strconv.Quote / `%q`: Go-escaped, double-quoted; bytes that are not UTF-8 appear as `\xNN`. */
export function goQuote(s: string | Uint8Array): string {
  const b = typeof s === 'string' ? utf8(s) : s
  let out = '"'
  for (let i = 0; i < b.length; ) {
    const [r, w] = decodeRune(b, i)
    if (r < 0) {
      out += '\\x' + hex2(b[i])
      i += 1
      continue
    }

    out += escapeRune(r)
    i += w
  }

  return out + '"'
}

// ---------------------------------------------------------------------------------------------
// strconv numbers and booleans

type NumErr = 'invalid syntax' | 'value out of range'

function numError(fn: string, s: string, err: NumErr): OptsError {
  return new OptsError(`strconv.${fn}: parsing ${goQuote(s)}: ${err}`)
}

const MAX_UINT64 = (1n << 64n) - 1n

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

function lowerByte(c: string): number {
  return c.charCodeAt(0) | 0x20
}

/** strconv's underscoreOK: underscores only between digits or after a base prefix. */
function underscoreOK(s: string): boolean {
  let saw = '^'
  let i = 0
  if (s.length > 0 && (s[0] === '-' || s[0] === '+')) s = s.slice(1)
  let hex = false
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(String.fromCharCode(lowerByte(s[1])))) {
    i = 2
    saw = '0'
    hex = lowerByte(s[1]) === 0x78
  }

  for (; i < s.length; i++) {
    const c = s[i]
    const l = lowerByte(c)
    if (isDigit(c) || (hex && l >= 0x61 && l <= 0x66)) {
      saw = '0'
      continue
    }

    if (c === '_') {
      if (saw !== '0') return false
      saw = '_'
      continue
    }

    if (saw === '_') return false
    saw = '!'
  }

  return saw !== '_'
}

type UintResult = {kind: 'ok'; n: bigint} | {kind: 'range'; n: bigint} | {kind: 'syntax'}

function parseUintRaw(s: string, base: number, bitSize: number): UintResult {
  if (s === '') return {kind: 'syntax'}
  const base0 = base === 0
  const s0 = s
  if (base0) {
    base = 10
    if (s[0] === '0') {
      const prefix = s.length >= 3 ? lowerByte(s[1]) : 0
      if (prefix === 0x62) {
        base = 2
        s = s.slice(2)
      } else if (prefix === 0x6f) {
        base = 8
        s = s.slice(2)
      } else if (prefix === 0x78) {
        base = 16
        s = s.slice(2)
      } else {
        base = 8
        s = s.slice(1)
      }
    }
  }

  const bigBase = BigInt(base)
  const cutoff = MAX_UINT64 / bigBase + 1n
  const maxVal = (1n << BigInt(bitSize)) - 1n
  let underscores = false
  let n = 0n
  for (const ch of s) {
    let d: number
    const c = ch.charCodeAt(0)
    if (ch === '_' && base0) {
      underscores = true
      continue
    } else if (c >= 0x30 && c <= 0x39) {
      d = c - 0x30
    } else {
      const l = c | 0x20
      if (ch.length === 1 && l >= 0x61 && l <= 0x7a) d = l - 0x61 + 10
      else return {kind: 'syntax'}
    }

    if (d >= base) return {kind: 'syntax'}
    if (n >= cutoff) return {kind: 'range', n: maxVal}
    n *= bigBase
    const n1 = n + BigInt(d)
    if (n1 > maxVal) return {kind: 'range', n: maxVal}
    n = n1
  }

  if (underscores && !underscoreOK(s0)) return {kind: 'syntax'}
  return {kind: 'ok', n}
}

/** strconv.ParseUint(s, base, bitSize) as a bigint. */
export function parseGoUintBig(s: string, base = 0, bitSize = 64): bigint {
  const r = parseUintRaw(s, base, bitSize)
  if (r.kind === 'syntax') throw numError('ParseUint', s, 'invalid syntax')
  if (r.kind === 'range') throw numError('ParseUint', s, 'value out of range')
  return r.n
}

/** strconv.ParseInt(s, base, bitSize) as a bigint; `fn` names the Go function in the error. */
export function parseGoIntBig(s: string, base = 0, bitSize = 64, fn = 'ParseInt'): bigint {
  if (s === '') throw numError(fn, s, 'invalid syntax')
  const s0 = s
  let neg = false
  if (s[0] === '+') {
    s = s.slice(1)
  } else if (s[0] === '-') {
    neg = true
    s = s.slice(1)
  }

  const r = parseUintRaw(s, base, bitSize)
  if (r.kind === 'syntax') throw numError(fn, s0, 'invalid syntax')
  const cutoff = 1n << BigInt(bitSize - 1)
  if (!neg && r.n >= cutoff) throw numError(fn, s0, 'value out of range')
  if (neg && r.n > cutoff) throw numError(fn, s0, 'value out of range')
  return neg ? -r.n : r.n
}

/**
 * strconv.ParseInt(s, 0, 64), which pflag's int flags use: optional sign, `0x`/`0o`/`0b` prefixes,
 * leading-0 octal, and underscores wherever Go integer literals allow them (so `1_000` is valid:
 * base 0 enables Go literal syntax even without a prefix). Values beyond 2^53 lose precision.
 */
export function parseGoInt(s: string): number {
  return Number(parseGoIntBig(s, 0, 64))
}

/** strconv.ParseUint(s, 0, 32), as used for firewall marks. */
export function parseGoUint32(s: string): number {
  return Number(parseGoUintBig(s, 0, 32))
}

/** strconv.Atoi (64-bit int, decimal only). */
export function parseGoAtoi(s: string): number {
  return Number(parseGoIntBig(s, 10, 64, 'Atoi'))
}

/** strconv.ParseBool. */
export function parseGoBool(s: string): boolean {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True': {
      return true
    }

    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False': {
      return false
    }
  }

  throw numError('ParseBool', s, 'invalid syntax')
}

function commonPrefixLenIgnoreCase(s: string, prefix: string): number {
  let n = 0
  while (n < prefix.length && n < s.length && (s.charCodeAt(n) | 0x20) === prefix.charCodeAt(n)) n++
  return n
}

/** strconv's special(): "inf", "infinity" (optionally signed) and "nan"; returns [value, consumed]. */
function floatSpecial(s: string): [number, number] | undefined {
  if (s.length === 0) return undefined
  let sign = 1
  let nsign = 0
  let rest = s
  const c = s[0]
  if (c === '+' || c === '-') {
    if (c === '-') sign = -1
    nsign = 1
    rest = s.slice(1)
  }

  if (nsign === 1 || c === 'i' || c === 'I') {
    let n = commonPrefixLenIgnoreCase(rest, 'infinity')
    if (n > 3 && n < 8) n = 3
    if (n === 3 || n === 8) return [sign * Infinity, nsign + n]
    return undefined
  }

  if ((c === 'n' || c === 'N') && commonPrefixLenIgnoreCase(s, 'nan') === 3) return [Number.NaN, 3]
  return undefined
}

/** strconv.ParseFloat(s, 64): Go float-literal syntax (decimal or `0x…p…`), range errors for overflow. */
export function parseGoFloat(s: string): number {
  const special = floatSpecial(s)
  if (special) {
    if (special[1] === s.length) return special[0]
    throw numError('ParseFloat', s, 'invalid syntax')
  }

  const syntax = () => numError('ParseFloat', s, 'invalid syntax')
  let i = 0
  let neg = false
  if (s[0] === '+') {
    i++
  } else if (s[0] === '-') {
    neg = true
    i++
  }

  let hex = false
  if (i + 2 < s.length && s[i] === '0' && lowerByte(s[i + 1]) === 0x78) {
    hex = true
    i += 2
  }

  let underscores = false
  let sawdot = false
  let sawdigits = false
  let digits = ''
  let intDigits = 0
  for (; i < s.length; i++) {
    const c = s[i]
    if (c === '_') {
      underscores = true
      continue
    }

    if (c === '.') {
      if (sawdot) break
      sawdot = true
      intDigits = digits.length
      continue
    }

    const l = lowerByte(c)
    if (isDigit(c) || (hex && l >= 0x61 && l <= 0x66)) {
      sawdigits = true
      digits += c
      continue
    }

    break
  }

  if (!sawdigits) throw syntax()
  if (!sawdot) intDigits = digits.length
  let exp = 0
  if (i < s.length && lowerByte(s[i]) === (hex ? 0x70 : 0x65)) {
    i++
    if (i >= s.length) throw syntax()
    let esign = 1
    if (s[i] === '+') {
      i++
    } else if (s[i] === '-') {
      i++
      esign = -1
    }

    if (!isDigit(s[i])) throw syntax()
    let e = 0
    for (; i < s.length && (isDigit(s[i]) || s[i] === '_'); i++) {
      if (s[i] === '_') {
        underscores = true
        continue
      }

      if (e < 10_000) e = e * 10 + Number(s[i])
    }

    exp = e * esign
  } else if (hex) {
    throw syntax()
  }

  if (i !== s.length) throw syntax()
  if (underscores && !underscoreOK(s.slice(0, i))) throw syntax()
  let value: number
  if (hex) {
    value = Number(BigInt('0x' + digits)) * 2 ** (exp - 4 * (digits.length - intDigits))
  } else {
    const intPart = digits.slice(0, intDigits) || '0'
    const fracPart = digits.slice(intDigits) || '0'
    value = Number(`${intPart}.${fracPart}e${exp}`)
  }

  if (!Number.isFinite(value)) throw numError('ParseFloat', s, 'value out of range')
  return neg ? -value : value
}

// ---------------------------------------------------------------------------------------------
// strconv.FormatFloat / fmt verbs on float64

/** A decimal digit string (no leading or trailing zeros) with the decimal point after `dp` digits. */
interface Decimal {
  d: string
  dp: number
}

function trimZeros(d: string): string {
  return d.replace(/0+$/, '')
}

function shortestDecimal(x: number): Decimal {
  // JS picks the shortest round-tripping digits, closest to the value: the same digits Go's
  // shortest mode (Ryū) produces.
  const [mant, e] = x.toExponential().split('e')
  return {d: trimZeros(mant.replace('.', '')), dp: Number(e) + 1}
}

function exactDecimal(x: number): Decimal {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  let e = Number((bits >> 52n) & 0x7ffn)
  let m = bits & ((1n << 52n) - 1n)
  if (e === 0) e = 1
  else m |= 1n << 52n
  e -= 1075
  if (e >= 0) {
    const s = (m << BigInt(e)).toString()
    return {d: trimZeros(s), dp: s.length}
  }

  const s = (m * 5n ** BigInt(-e)).toString()
  return {d: trimZeros(s), dp: s.length + e}
}

/** Go's decimal.Round: round half to even on the exact digits. */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a
  const half = a.d[nd] === '5' && nd + 1 === a.d.length
  const up = half ? nd > 0 && Number(a.d[nd - 1]) % 2 === 1 : a.d[nd] >= '5'
  if (!up) return {d: trimZeros(a.d.slice(0, nd)), dp: a.dp}
  for (let i = nd - 1; i >= 0; i--) {
    if (a.d[i] < '9') return {d: a.d.slice(0, i) + String(Number(a.d[i]) + 1), dp: a.dp}
  }

  return {d: '1', dp: a.dp + 1}
}

function fmtE(neg: boolean, a: Decimal, prec: number): string {
  let s = neg ? '-' : ''
  s += a.d.length > 0 ? a.d[0] : '0'
  if (prec > 0) {
    s += '.'
    const m = Math.min(a.d.length, prec + 1)
    s += a.d.slice(1, m)
    s += '0'.repeat(Math.max(prec + 1 - Math.max(m, 1), 0))
  }

  let exp = a.d.length === 0 ? 0 : a.dp - 1
  let sign = '+'
  if (exp < 0) {
    sign = '-'
    exp = -exp
  }

  return `${s}e${sign}${exp < 10 ? '0' + exp : String(exp)}`
}

function fmtF(neg: boolean, a: Decimal, prec: number): string {
  let s = neg ? '-' : ''
  if (a.dp > 0) {
    const m = Math.min(a.d.length, a.dp)
    s += a.d.slice(0, m) + '0'.repeat(a.dp - m)
  } else {
    s += '0'
  }

  if (prec > 0) {
    s += '.'
    for (let i = 1; i <= prec; i++) {
      const j = a.dp + i - 1
      s += j >= 0 && j < a.d.length ? a.d[j] : '0'
    }
  }

  return s
}

/**
 * strconv.FormatFloat(x, verb, prec, 64); prec -1 = shortest. `%v` of a float64 is ('g', -1),
 * and in shortest mode Go switches to exponent form when exp < -4 || exp >= 6 (strconv's
 * formatDigits fixes eprec at 6; 21 is only encoding/json's threshold), so 1e6 prints `1e+06`.
 */
export function formatGoFloat(x: number, verb: 'e' | 'f' | 'g', prec: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return '+Inf'
  if (x === -Infinity) return '-Inf'
  const neg = x < 0 || Object.is(x, -0)
  const ax = Math.abs(x)
  const shortest = prec < 0
  let digs: Decimal
  if (ax === 0) {
    digs = {d: '', dp: 0}
  } else if (shortest) {
    digs = shortestDecimal(ax)
  } else {
    digs = exactDecimal(ax)
    if (verb === 'e') digs = roundDecimal(digs, prec + 1)
    else if (verb === 'f') digs = roundDecimal(digs, digs.dp + prec)
    else digs = roundDecimal(digs, prec === 0 ? 1 : prec)
  }

  const nd = digs.d.length
  if (shortest) {
    prec = verb === 'e' ? Math.max(nd - 1, 0) : verb === 'f' ? Math.max(nd - digs.dp, 0) : nd
  }

  if (verb === 'e') return fmtE(neg, digs, prec)
  if (verb === 'f') return fmtF(neg, digs, prec)
  let eprec = prec
  if (eprec > nd && nd >= digs.dp) eprec = nd
  if (shortest) eprec = 6
  const exp = digs.dp - 1
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd
    return fmtE(neg, digs, prec - 1)
  }

  if (prec > digs.dp) prec = nd
  return fmtF(neg, digs, Math.max(prec - digs.dp, 0))
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

// ---------------------------------------------------------------------------------------------
// net/netip

/** A parsed netip.Addr: 4 bytes for IPv4, 16 for IPv6 (zone only on IPv6). */
export interface GoAddr {
  bytes: number[]
  is4: boolean
  zone: string
}

function addrError(input: string, msg: string, at = ''): OptsError {
  return new OptsError(`ParseAddr(${goQuote(input)}): ${msg}` + (at === '' ? '' : ` (at ${goQuote(at)})`))
}

/** netip's parseIPv4Fields over in[off:end]; errors name the whole input. */
function parseIPv4Fields(input: string, off: number, end: number): number[] {
  const fields: number[] = []
  let val = 0
  let digLen = 0
  const s = input.slice(off, end)
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (isDigit(c)) {
      if (digLen === 1 && val === 0) throw addrError(input, 'IPv4 field has octet with leading zero')
      val = val * 10 + Number(c)
      digLen++
      if (val > 255) throw addrError(input, 'IPv4 field has value >255')
    } else if (c === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') {
        throw addrError(input, 'IPv4 field must have at least one digit', s.slice(i))
      }

      if (fields.length === 3) throw addrError(input, 'IPv4 address too long')
      fields.push(val)
      val = 0
      digLen = 0
    } else {
      throw addrError(input, 'unexpected character', s.slice(i))
    }
  }

  if (fields.length < 3) throw addrError(input, 'IPv4 address too short')
  fields.push(val)
  return fields
}

function hexVal(c: string | undefined): number {
  if (c === undefined || c.length !== 1) return -1
  const code = c.charCodeAt(0)
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10
  return -1
}

function parseIPv6(input: string): GoAddr {
  let s = input
  let zone = ''
  const pct = s.indexOf('%')
  if (pct !== -1) {
    zone = s.slice(pct + 1)
    s = s.slice(0, pct)
    if (zone === '') throw addrError(input, 'zone must be a non-empty string')
  }

  const ip = Array.from<number>({length: 16}).fill(0)
  let ellipsis = -1
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') {
    ellipsis = 0
    s = s.slice(2)
    if (s.length === 0) return {bytes: ip, is4: false, zone}
  }

  let i = 0
  while (i < 16) {
    let off = 0
    let acc = 0
    for (; off < s.length; off++) {
      const d = hexVal(s[off])
      if (d < 0) break
      acc = acc * 16 + d
      if (off > 3) throw addrError(input, 'each group must have 4 or less digits', s)
      if (acc > 0xffff) throw addrError(input, 'IPv6 field has value >=2^16', s)
    }

    if (off === 0) throw addrError(input, 'each colon-separated field must have at least one digit', s)
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) {
        throw addrError(input, 'embedded IPv4 address must replace the final 2 fields of the address', s)
      }

      if (i + 4 > 16) throw addrError(input, 'too many hex fields to fit an embedded IPv4 at the end of the address', s)
      const end = input.length - (zone.length > 0 ? zone.length + 1 : 0)
      const v4 = parseIPv4Fields(input, end - s.length, end)
      for (let k = 0; k < 4; k++) ip[i + k] = v4[k]
      s = ''
      i += 4
      break
    }

    ip[i] = acc >> 8
    ip[i + 1] = acc & 0xff
    i += 2
    s = s.slice(off)
    if (s.length === 0) break
    if (s[0] !== ':') throw addrError(input, 'unexpected character, want colon', s)
    if (s.length === 1) throw addrError(input, 'colon must be followed by more characters', s)
    s = s.slice(1)
    if (s[0] === ':') {
      if (ellipsis >= 0) throw addrError(input, 'multiple :: in address', s)
      ellipsis = i
      s = s.slice(1)
      if (s.length === 0) break
    }
  }

  if (s.length > 0) throw addrError(input, 'trailing garbage after address', s)
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, 'address string too short')
    const n = 16 - i
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0
  } else if (ellipsis >= 0) {
    throw addrError(input, 'the :: must expand to at least one field of zeros')
  }

  return {bytes: ip, is4: false, zone}
}

/** netip.ParseAddr, with its exact error texts. */
export function goParseAddr(s: string): GoAddr {
  for (const c of s) {
    if (c === '.') return {bytes: parseIPv4Fields(s, 0, s.length), is4: true, zone: ''}
    if (c === ':') return parseIPv6(s)
    if (c === '%') throw addrError(s, 'missing IPv6 address')
  }

  throw addrError(s, 'unable to parse IP')
}

/** Whether an IPv6 address is IPv4-mapped (::ffff:a.b.c.d). */
export function goAddrIs4In6(a: GoAddr): boolean {
  return !a.is4 && a.bytes.slice(0, 10).every((b) => b === 0) && a.bytes[10] === 0xff && a.bytes[11] === 0xff
}

function formatV6Words(bytes: number[]): string {
  const words = Array.from({length: 8}, (_, k) => (bytes[2 * k] << 8) | bytes[2 * k + 1])
  let zeroStart = -1
  let zeroLen = 0
  for (let i = 0; i < 8; i++) {
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i >= 2 && j - i > zeroLen) {
      zeroStart = i
      zeroLen = j - i
    }
  }

  let out = ''
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      out += '::'
      i += zeroLen - 1
      continue
    }

    if (i > 0 && !out.endsWith(':')) out += ':'
    out += words[i].toString(16)
  }

  return out
}

/** netip.Addr.String: dotted IPv4, RFC 5952 IPv6, `::ffff:a.b.c.d` for mapped, `%zone` kept. */
export function goFormatAddr(a: GoAddr): string {
  if (a.is4) return a.bytes.join('.')
  const zone = a.zone === '' ? '' : '%' + a.zone
  if (goAddrIs4In6(a)) return '::ffff:' + a.bytes.slice(12).join('.') + zone
  return formatV6Words(a.bytes) + zone
}

/** A parsed netip.Prefix. */
export interface GoPrefix {
  addr: GoAddr
  bits: number
}

/** netip.ParsePrefix, with its exact error texts. */
export function goParsePrefix(s: string): GoPrefix {
  const fail = (msg: string) => new OptsError(`netip.ParsePrefix(${goQuote(s)}): ${msg}`)
  const i = s.lastIndexOf('/')
  if (i < 0) throw fail("no '/'")
  let addr: GoAddr
  try {
    addr = goParseAddr(s.slice(0, i))
  } catch (error) {
    throw fail((error as Error).message)
  }

  if (!addr.is4 && addr.zone !== '') throw fail('IPv6 zones cannot be present in a prefix')
  const bitsStr = s.slice(i + 1)
  const bad = () => fail('bad bits after slash: ' + goQuote(bitsStr))
  if (bitsStr.length > 1 && (bitsStr[0] < '1' || bitsStr[0] > '9')) throw bad()
  let bits: number
  try {
    bits = parseGoAtoi(bitsStr)
  } catch {
    throw bad()
  }

  if (bits < 0 || bits > (addr.is4 ? 32 : 128)) throw fail('prefix length out of range')
  return {addr, bits}
}

/** netip.Prefix.Masked: the address with host bits cleared. */
export function goMaskPrefix(p: GoPrefix): GoPrefix {
  const bytes = p.addr.bytes.map((b, i) => {
    const before = i * 8
    if (before >= p.bits) return 0
    if (before + 8 <= p.bits) return b
    return b & (0xff << (8 - (p.bits - before))) & 0xff
  })
  return {addr: {bytes, is4: p.addr.is4, zone: ''}, bits: p.bits}
}

/** netip.Prefix.String. */
export function goFormatPrefix(p: GoPrefix): string {
  return `${goFormatAddr(p.addr)}/${p.bits}`
}

// ---------------------------------------------------------------------------------------------
// net

/** net.ParseIP: like netip.ParseAddr but zones are rejected; undefined when invalid. */
export function goNetParseIP(s: string): GoAddr | undefined {
  try {
    const a = goParseAddr(s)
    return a.zone === '' ? a : undefined
  } catch {
    return undefined
  }
}

/** net.IP.String: IPv4 (also IPv4-mapped IPv6) dotted, other IPv6 RFC 5952. */
export function goFormatNetIP(a: GoAddr): string {
  if (a.is4) return a.bytes.join('.')
  if (goAddrIs4In6(a)) return a.bytes.slice(12).join('.')
  return formatV6Words(a.bytes)
}

/** net.SplitHostPort; undefined where Go returns an error. */
export function goSplitHostPort(hostport: string): [string, string] | undefined {
  const i = hostport.lastIndexOf(':')
  if (i < 0) return undefined
  let host: string
  let j = 0
  let k = 0
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']')
    if (end < 0 || end + 1 !== i) return undefined
    host = hostport.slice(1, end)
    j = 1
    k = end + 1
  } else {
    host = hostport.slice(0, i)
    if (host.includes(':')) return undefined
  }

  if (hostport.slice(j).includes('[') || hostport.slice(k).includes(']')) return undefined
  return [host, hostport.slice(i + 1)]
}

/** net.JoinHostPort: brackets hosts that contain a colon. */
export function goJoinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

// ---------------------------------------------------------------------------------------------
// net/url

/** The fields of Go's url.URL that parsing fills. */
export interface GoURL {
  forceQuery: boolean
  fragment: string
  host: string
  omitHost: boolean
  opaque: string
  path: string
  rawFragment: string
  rawPath: string
  rawQuery: string
  scheme: string
  user?: {password?: string; username: string}
}

/** An error inside url.parse; parseGoURL wraps it as `parse "<url>": <msg>`. */
class URLInnerError extends Error {}

const Enc = {
  Fragment: 7,
  Host: 3,
  Path: 1,
  PathSegment: 2,
  QueryComponent: 6,
  UserPassword: 5,
  Zone: 4,
} as const
type Enc = (typeof Enc)[keyof typeof Enc]

function isAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)
}

function shouldEscape(c: number, mode: Enc): boolean {
  if (isAlnum(c)) return false
  const ch = String.fromCharCode(c)
  if ((mode === Enc.Host || mode === Enc.Zone) && c < 0x80 && `!$&'()*+,;=:[]<>"`.includes(ch)) return false
  if (c < 0x80 && '-_.~'.includes(ch)) return false
  if (c < 0x80 && '$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case Enc.Path: {
        return ch === '?'
      }

      case Enc.PathSegment: {
        return ch === '/' || ch === ';' || ch === ',' || ch === '?'
      }

      case Enc.UserPassword: {
        return ch === '@' || ch === '/' || ch === '?' || ch === ':'
      }

      case Enc.QueryComponent: {
        return true
      }

      case Enc.Fragment: {
        return false
      }

      default:
    }
  }

  if (mode === Enc.Fragment && c < 0x80 && '!()*'.includes(ch)) return false
  return true
}

function isHexByte(c: number | undefined): boolean {
  return c !== undefined && hexVal(String.fromCharCode(c)) >= 0
}

function escapeError(b: Uint8Array): URLInnerError {
  return new URLInnerError('invalid URL escape ' + goQuote(b))
}

function goUnescape(s: string, mode: Enc): string {
  const b = utf8(s)
  let n = 0
  let hasPlus = false
  for (let i = 0; i < b.length; ) {
    const c = b[i]
    if (c === 0x25) {
      n++
      if (i + 2 >= b.length || !isHexByte(b[i + 1]) || !isHexByte(b[i + 2])) {
        throw escapeError(b.subarray(i, Math.min(i + 3, b.length)))
      }

      const hi = hexVal(String.fromCharCode(b[i + 1]))
      const isPct25 = b[i + 1] === 0x32 && b[i + 2] === 0x35
      if (mode === Enc.Host && hi < 8 && !isPct25) throw escapeError(b.subarray(i, i + 3))
      if (mode === Enc.Zone) {
        const v = (hi << 4) | hexVal(String.fromCharCode(b[i + 2]))
        if (!isPct25 && v !== 0x20 && shouldEscape(v, Enc.Host)) throw escapeError(b.subarray(i, i + 3))
      }

      i += 3
    } else if (c === 0x2b) {
      hasPlus = mode === Enc.QueryComponent
      i++
    } else {
      if ((mode === Enc.Host || mode === Enc.Zone) && c < 0x80 && shouldEscape(c, mode)) {
        throw new URLInnerError('invalid character ' + goQuote(String.fromCharCode(c)) + ' in host name')
      }

      i++
    }
  }

  if (n === 0 && !hasPlus) return s
  const out: number[] = []
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x25) {
      out.push((hexVal(String.fromCharCode(b[i + 1])) << 4) | hexVal(String.fromCharCode(b[i + 2])))
      i += 2
    } else if (b[i] === 0x2b && mode === Enc.QueryComponent) {
      out.push(0x20)
    } else {
      out.push(b[i])
    }
  }

  return fromUtf8(Uint8Array.from(out))
}

const UPPER_HEX = '0123456789ABCDEF'

function goEscape(s: string, mode: Enc): string {
  let out = ''
  for (const c of utf8(s)) {
    if (c === 0x20 && mode === Enc.QueryComponent) out += '+'
    else if (shouldEscape(c, mode)) out += '%' + UPPER_HEX[c >> 4] + UPPER_HEX[c & 15]
    else out += String.fromCharCode(c)
  }

  return out
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw]
      continue
    }

    if (c === 0x3a) {
      if (i === 0) throw new URLInnerError('missing protocol scheme')
      return [raw.slice(0, i), raw.slice(i + 1)]
    }

    return ['', raw]
  }

  return ['', raw]
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true
  if (port[0] !== ':') return false
  for (const c of port.slice(1)) if (!isDigit(c)) return false
  return true
}

function invalidPort(colonPort: string): URLInnerError {
  return new URLInnerError(`invalid port ${goQuote(colonPort)} after host`)
}

function parseHost(scheme: string, host: string): string {
  const open = host.lastIndexOf('[')
  // Since the CVE-2025-47912 fix only a leading IPv6 literal may use brackets.
  if (open > 0) throw new URLInnerError('invalid IP-literal')
  if (open === 0) {
    const close = host.lastIndexOf(']')
    if (close < 0) throw new URLInnerError("missing ']' in host")
    const colonPort = host.slice(close + 1)
    if (!validOptionalPort(colonPort)) throw invalidPort(colonPort)
    const port = goUnescape(colonPort, Enc.Host)
    const hostname = host.slice(1, close)
    const zone = hostname.indexOf('%25')
    const unescaped =
      zone >= 0
        ? goUnescape(hostname.slice(0, zone), Enc.Host) + goUnescape(hostname.slice(zone), Enc.Zone)
        : goUnescape(hostname, Enc.Host)
    let addr: GoAddr
    try {
      addr = goParseAddr(unescaped)
    } catch (error) {
      throw new URLInnerError('invalid host: ' + (error as Error).message)
    }

    if (addr.is4) throw new URLInnerError('invalid IP-literal')
    return `[${unescaped}]${port}`
  }

  let i = host.indexOf(':')
  if (i >= 0) {
    const last = host.lastIndexOf(':')
    // Go 1.26 (urlstrictcolons=1) takes the first colon as the port separator, but only for
    // http and https; other schemes keep the old last-colon rule.
    if (last !== i && scheme !== 'http' && scheme !== 'https') i = last
    const colonPort = host.slice(i)
    if (!validOptionalPort(colonPort)) throw invalidPort(colonPort)
  }

  return goUnescape(host, Enc.Host)
}

function validUserinfo(s: string): boolean {
  return /^[\w.:~!$&'()*+,;=%@-]*$/.test(s)
}

function parseAuthority(scheme: string, authority: string): [GoURL['user'], string] {
  const i = authority.lastIndexOf('@')
  const host = parseHost(scheme, i < 0 ? authority : authority.slice(i + 1))
  if (i < 0) return [undefined, host]
  const userinfo = authority.slice(0, i)
  if (!validUserinfo(userinfo)) throw new URLInnerError('net/url: invalid userinfo')
  const colon = userinfo.indexOf(':')
  if (colon < 0) return [{username: goUnescape(userinfo, Enc.UserPassword)}, host]
  return [
    {
      password: goUnescape(userinfo.slice(colon + 1), Enc.UserPassword),
      username: goUnescape(userinfo.slice(0, colon), Enc.UserPassword),
    },
    host,
  ]
}

function parseURL(raw: string): GoURL {
  const url: GoURL = {
    forceQuery: false,
    fragment: '',
    host: '',
    omitHost: false,
    opaque: '',
    path: '',
    rawFragment: '',
    rawPath: '',
    rawQuery: '',
    scheme: '',
  }
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new URLInnerError('net/url: invalid control character in URL')
  if (raw === '*') {
    url.path = '*'
    return url
  }

  let [scheme, rest] = getScheme(raw)
  url.scheme = scheme.toLowerCase()
  scheme = url.scheme
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    url.forceQuery = true
    rest = rest.slice(0, -1)
  } else {
    const q = rest.indexOf('?')
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1)
      rest = rest.slice(0, q)
    }
  }

  if (!rest.startsWith('/')) {
    if (scheme !== '') {
      url.opaque = rest
      return url
    }

    const slash = rest.indexOf('/')
    if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) {
      throw new URLInnerError('first path segment in URL cannot contain colon')
    }
  }

  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2)
    rest = ''
    const slash = authority.indexOf('/')
    if (slash >= 0) {
      rest = authority.slice(slash)
      authority = authority.slice(0, slash)
    }

    ;[url.user, url.host] = parseAuthority(scheme, authority)
  } else if (scheme !== '' && rest.startsWith('/')) {
    url.omitHost = true
  }

  url.path = goUnescape(rest, Enc.Path)
  url.rawPath = goEscape(url.path, Enc.Path) === rest ? '' : rest
  return url
}

/** url.Parse; errors read `parse "<url>": <reason>` exactly as Go's *url.Error. */
export function parseGoURL(raw: string): GoURL {
  const hash = raw.indexOf('#')
  const u = hash < 0 ? raw : raw.slice(0, hash)
  const frag = hash < 0 ? '' : raw.slice(hash + 1)
  let url: GoURL
  try {
    url = parseURL(u)
  } catch (error) {
    if (error instanceof URLInnerError) throw new OptsError(`parse ${goQuote(u)}: ${error.message}`)
    throw error
  }

  if (frag === '') return url
  try {
    url.fragment = goUnescape(frag, Enc.Fragment)
  } catch (error) {
    if (error instanceof URLInnerError) throw new OptsError(`parse ${goQuote(raw)}: ${error.message}`)
    throw error
  }

  url.rawFragment = goEscape(url.fragment, Enc.Fragment) === frag ? '' : frag
  return url
}

function validEncoded(s: string, mode: Enc): boolean {
  for (const c of utf8(s)) {
    if (c < 0x80 && `!$&'()*+,;=:@[]%`.includes(String.fromCharCode(c))) continue
    if (shouldEscape(c, mode)) return false
  }

  return true
}

/** EscapedPath / EscapedFragment: the raw form when it is a valid encoding of the decoded one. */
function escapedPart(raw: string, decoded: string, mode: Enc): string {
  if (raw !== '' && validEncoded(raw, mode)) {
    try {
      if (goUnescape(raw, mode) === decoded) return raw
    } catch {
      // an invalid raw form is ignored, as Go does
    }
  }

  if (mode === Enc.Path && decoded === '*') return '*'
  return goEscape(decoded, mode)
}

/** url.URL.String. */
export function formatGoURL(u: GoURL): string {
  let buf = ''
  if (u.scheme !== '') buf += u.scheme + ':'
  if (u.opaque === '') {
    if ((u.scheme !== '' || u.host !== '' || u.user) && !(u.omitHost && u.host === '' && !u.user)) {
      if (u.host !== '' || u.path !== '' || u.user) buf += '//'
      if (u.user) {
        buf += goEscape(u.user.username, Enc.UserPassword)
        if (u.user.password !== undefined) buf += ':' + goEscape(u.user.password, Enc.UserPassword)
        buf += '@'
      }

      if (u.host !== '') buf += goEscape(u.host, Enc.Host)
    }

    const path = escapedPart(u.rawPath, u.path, Enc.Path)
    if (path !== '' && path[0] !== '/' && u.host !== '') buf += '/'
    if (buf === '') {
      const slash = path.indexOf('/')
      if ((slash < 0 ? path : path.slice(0, slash)).includes(':')) buf += './'
    }

    buf += path
  } else {
    buf += u.opaque
  }

  if (u.forceQuery || u.rawQuery !== '') buf += '?' + u.rawQuery
  if (u.fragment !== '') buf += '#' + escapedPart(u.rawFragment, u.fragment, Enc.Fragment)
  return buf
}

function splitURLHostPort(hostPort: string): [string, string] {
  let host = hostPort
  let port = ''
  const colon = host.lastIndexOf(':')
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1)
    host = host.slice(0, colon)
  }

  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  return [host, port]
}

/** url.URL.Hostname: the host without port and brackets. */
export function goURLHostname(u: GoURL): string {
  return splitURLHostPort(u.host)[0]
}

/** url.URL.Port: the numeric port, or ''. */
export function goURLPort(u: GoURL): string {
  return splitURLHostPort(u.host)[1]
}

// ---------------------------------------------------------------------------------------------
// encoding/csv

function csvLines(input: string): string[] {
  const lines: string[] = []
  let rest = input
  while (rest.length > 0) {
    const nl = rest.indexOf('\n')
    let line = nl < 0 ? rest : rest.slice(0, nl + 1)
    rest = nl < 0 ? '' : rest.slice(nl + 1)
    if (nl < 0 && line.endsWith('\r')) line = line.slice(0, -1)
    if (line.endsWith('\r\n')) line = line.slice(0, -2) + '\n'
    lines.push(line)
  }

  return lines
}

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8')

function csvError(startLine: number, line: number, column: number, err: string): OptsError {
  const where = startLine === line ? '' : `record on line ${startLine}; `
  return new OptsError(`${where}parse error on line ${line}, column ${column}: ${err}`)
}

const BARE_QUOTE = 'bare " in non-quoted-field'
const EXTRA_QUOTE = 'extraneous or missing " in quoted-field'

/** The first record of csv.NewReader(strings.NewReader(input)).Read(); `EOF` when there is none. */
export function readGoCSVRecord(input: string): string[] {
  const lines = csvLines(input)
  let next = 0
  let numLine = 0
  const readLine = (): string | undefined => {
    numLine++
    return next < lines.length ? lines[next++] : undefined
  }

  let line: string | undefined
  for (;;) {
    line = readLine()
    if (line === undefined) throw new OptsError('EOF')
    if (line !== '\n') break
  }

  const recLine = numLine
  const pos = {col: 1, line: numLine}
  const fields: string[] = []
  const lengthNL = (s: string) => (s.endsWith('\n') ? 1 : 0)
  for (;;) {
    if (line === '' || line[0] !== '"') {
      const i = line.indexOf(',')
      const field = i >= 0 ? line.slice(0, i) : line.slice(0, line.length - lengthNL(line))
      const j = field.indexOf('"')
      if (j >= 0) throw csvError(recLine, numLine, pos.col + byteLen(field.slice(0, j)), BARE_QUOTE)
      fields.push(field)
      if (i < 0) return fields
      pos.col += byteLen(line.slice(0, i)) + 1
      line = line.slice(i + 1)
      continue
    }

    line = line.slice(1)
    pos.col += 1
    let buf = ''
    for (;;) {
      const i = line.indexOf('"')
      if (i >= 0) {
        buf += line.slice(0, i)
        pos.col += byteLen(line.slice(0, i)) + 1
        line = line.slice(i + 1)
        if (line[0] === '"') {
          buf += '"'
          line = line.slice(1)
          pos.col += 1
        } else if (line[0] === ',') {
          line = line.slice(1)
          pos.col += 1
          fields.push(buf)
          break
        } else if (lengthNL(line) === line.length) {
          fields.push(buf)
          return fields
        } else {
          throw csvError(recLine, numLine, pos.col - 1, EXTRA_QUOTE)
        }
      } else if (line.length > 0) {
        buf += line
        pos.col += byteLen(line)
        line = readLine() ?? ''
        if (line.length > 0) {
          pos.line++
          pos.col = 1
        }
      } else {
        throw csvError(recLine, pos.line, pos.col, EXTRA_QUOTE)
      }
    }
  }
}
