// Go's net/netip: ParseAddr, ParsePrefix, Masked and String, with their exact error texts.
import {OptsError} from '../opts/errors.js'
import {hexVal, isDigit} from './internal.js'
import {goQuote, parseGoAtoi} from './strconv.js'

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

/** IPv6 words in RFC 5952 form (longest zero run as `::`), no zone. */
export function formatV6Words(bytes: number[]): string {
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
