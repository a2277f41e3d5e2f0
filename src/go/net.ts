// Go's net: ParseIP, IP.String, SplitHostPort and JoinHostPort.
import {OptsError} from '../opts/errors.js'
import {type GoAddr, formatV6Words, goAddrIs4In6, goParseAddr} from './netip.js'

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

/** net.*AddrError: `address <addr>: <why>`, or just `<why>` for an empty address. */
export class GoAddrError extends OptsError {
  constructor(
    readonly addr: string,
    readonly why: string,
  ) {
    super(addr === '' ? why : `address ${addr}: ${why}`)
  }
}

const MISSING_PORT = 'missing port in address'
const TOO_MANY_COLONS = 'too many colons in address'

/** net.SplitHostPort, throwing its *AddrError texts. */
export function splitHostPort(hostport: string): {host: string; port: string} {
  const fail = (why: string) => new GoAddrError(hostport, why)
  const i = hostport.lastIndexOf(':')
  if (i < 0) throw fail(MISSING_PORT)
  let host: string
  let j = 0
  let k = 0
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']')
    if (end < 0) throw fail("missing ']' in address")
    if (end + 1 === hostport.length) throw fail(MISSING_PORT)
    if (end + 1 !== i) throw fail(hostport[end + 1] === ':' ? TOO_MANY_COLONS : MISSING_PORT)
    host = hostport.slice(1, end)
    j = 1
    k = end + 1
  } else {
    host = hostport.slice(0, i)
    if (host.includes(':')) throw fail(TOO_MANY_COLONS)
  }

  if (hostport.slice(j).includes('[')) throw fail("unexpected '[' in address")
  if (hostport.slice(k).includes(']')) throw fail("unexpected ']' in address")
  return {host, port: hostport.slice(i + 1)}
}

/** net.SplitHostPort as `[host, port]`; undefined where Go returns an error. */
export function goSplitHostPort(hostport: string): [string, string] | undefined {
  try {
    const {host, port} = splitHostPort(hostport)
    return [host, port]
  } catch {
    return undefined
  }
}

/** net.JoinHostPort: brackets hosts that contain a colon. */
export function goJoinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
