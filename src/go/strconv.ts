// Go's strconv: Quote (`%q`), ParseInt/ParseUint/Atoi/ParseBool/ParseFloat with their exact
// error texts, and FormatFloat. Go 1.26 rules, as moby is built with.
import {OptsError} from '../opts/errors.js'
import {isDigit, lowerByte, utf8} from './internal.js'

// ---------------------------------------------------------------------------------------------
// strconv.Quote

// Compiled on first use: V8 takes milliseconds to compile these Unicode classes, and a daemon's
// start quotes only ASCII (log fields, paths), where the table is a range.
let printable: RegExp | undefined

function isGoPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f
  printable ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u
  return printable.test(String.fromCodePoint(r))
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

/** strconv's appendEscapedRune for a literal delimited by `quote` (`"` or `'`). */
function escapeRune(r: number, quote = 0x22): string {
  if (r === quote || r === 0x5c) return '\\' + String.fromCodePoint(r)
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

/** strconv.QuoteRune, which is also fmt's `%q` of an integer (a byte from a string, say). */
export function goQuoteRune(r: number): string {
  const valid = r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff)
  return "'" + escapeRune(valid ? r : 0xfffd, 0x27) + "'"
}

// ---------------------------------------------------------------------------------------------
// strconv numbers and booleans

/** The reason of a strconv.NumError (its Err). */
export type NumErr = 'invalid syntax' | 'value out of range'

/** strconv.*NumError: callers that wrap only the reason (as moby does with `%w` of `.Err`) read `err`. */
export class GoNumError extends OptsError {
  constructor(
    readonly func: string,
    readonly num: string,
    readonly err: NumErr,
  ) {
    super(`strconv.${func}: parsing ${goQuote(num)}: ${err}`)
  }
}

function numError(fn: string, s: string, err: NumErr): GoNumError {
  return new GoNumError(fn, s, err)
}

const MAX_UINT64 = (1n << 64n) - 1n

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
