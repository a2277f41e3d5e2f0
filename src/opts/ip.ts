import {OptsError} from './errors.js'
import {goAddrIs4In6, goFormatAddr, goFormatNetIP, goFormatPrefix, goNetParseIP, goParseAddr, goParsePrefix, goQuote} from './go.js'

/**
 * netip.ParseAddr then Addr.String: the normalised address (`0:0:0:0:0:0:0:1` → `::1`, IPv6
 * lower-cased, zones kept). Used bare by `--dns`, `--host-gateway-ip` and the daemon.json `dns` /
 * `host-gateway-ips` values, e.g. `ParseAddr("hello"): unable to parse IP`.
 */
export function parseAddr(s: string): string {
  return goFormatAddr(goParseAddr(s))
}

/** moby's ValidateIPAddress: parseAddr with its `IP address is not correctly formatted: ` prefix. */
export function validateIPAddress(s: string): string {
  try {
    return parseAddr(s)
  } catch (error) {
    throw new OptsError(`IP address is not correctly formatted: ${(error as Error).message}`)
  }
}

/** Whether `addr` parses (netip) as an IPv4 address (IPv4-mapped IPv6 is not IPv4). */
export function isIPv4(addr: string): boolean {
  try {
    return goParseAddr(addr).is4
  } catch {
    return false
  }
}

/** Whether `addr` parses (netip) as an IPv6 address, IPv4-mapped ones included. */
export function isIPv6(addr: string): boolean {
  try {
    return !goParseAddr(addr).is4
  } catch {
    return false
  }
}

/** Whether `addr` is an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
export function isIPv4Mapped(addr: string): boolean {
  try {
    return goAddrIs4In6(goParseAddr(addr))
  } catch {
    return false
  }
}

/** netip.ParsePrefix then Prefix.String (not masked), e.g. `netip.ParsePrefix("x"): no '/'`. */
export function parsePrefix(s: string): string {
  return goFormatPrefix(goParsePrefix(s))
}

/**
 * pflag's `ip` flag type (--ip, --default-gateway, --default-gateway-v6): net.ParseIP of the
 * trimmed value, printed as net.IP.String; "" leaves the value unset (returns '').
 * Error: `failed to parse IP: "<v>"`.
 */
export function parsePflagIP(s: string): string {
  if (s === '') return ''
  const a = goNetParseIP(s.trim())
  if (!a) throw new OptsError(`failed to parse IP: ${goQuote(s)}`)
  return goFormatNetIP(a)
}
