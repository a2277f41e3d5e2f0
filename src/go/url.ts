// Go's net/url: Parse (errors as *url.Error prints them), URL.String, Hostname and Port.
import {OptsError} from '../opts/errors.js'
import {fromUtf8, hexVal, isDigit, utf8} from './internal.js'
import {type GoAddr, goParseAddr} from './netip.js'
import {goQuote} from './strconv.js'

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

function unescapeOrThrow(s: string, mode: Enc): string {
  try {
    return goUnescape(s, mode)
  } catch (error) {
    if (error instanceof URLInnerError) throw new OptsError(error.message)
    throw error
  }
}

/** url.PathUnescape: `%XX` decoded as bytes, then read as UTF-8; Go's EscapeError text on a bad escape. */
export function goPathUnescape(s: string): string {
  return s.includes('%') ? unescapeOrThrow(s, Enc.PathSegment) : s
}

/** url.QueryUnescape: as goPathUnescape, and `+` is a space. */
export function goQueryUnescape(s: string): string {
  return s.includes('%') || s.includes('+') ? unescapeOrThrow(s, Enc.QueryComponent) : s
}

/** url's escape(path, encodePath): what URL.EscapedPath writes for a path with no valid raw form. */
export function goEscapePath(path: string): string {
  return goEscape(path, Enc.Path)
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
