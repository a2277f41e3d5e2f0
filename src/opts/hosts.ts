import {OptsError} from './errors.js'
import {compareGoStrings, goJoinHostPort, goQuote, goURLHostname, goURLPort, parseGoAtoi, parseGoURL} from './go.js'
import {validateIPAddress} from './ip.js'
import {platformOf} from '../platform/platform.js'
import type {TargetPlatform} from '../platform/target.js'

export type HostPlatform = TargetPlatform

export const DEFAULT_HTTP_PORT = 2375
export const DEFAULT_TLS_HTTP_PORT = 2376
export const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock'
export const DEFAULT_NAMED_PIPE = '//./pipe/docker_engine'
export const HOST_GATEWAY_NAME = 'host-gateway'

/** Host used when only a port is given: `localhost`, or `127.0.0.1` on Windows. */
export function defaultHTTPHost(platform: HostPlatform = 'linux'): string {
  return platformOf(platform).defaultHTTPHost
}

/** `tcp://localhost:2375` (`tcp://127.0.0.1:2375` on Windows). */
export function defaultTCPHost(platform: HostPlatform = 'linux'): string {
  return `tcp://${defaultHTTPHost(platform)}:${DEFAULT_HTTP_PORT}`
}

/** `tcp://localhost:2376` (`tcp://127.0.0.1:2376` on Windows): the default host when TLS is on. */
export function defaultTLSHost(platform: HostPlatform = 'linux'): string {
  return `tcp://${defaultHTTPHost(platform)}:${DEFAULT_TLS_HTTP_PORT}`
}

/** The default host without -H and TLS: the unix socket, or the named pipe on Windows. */
export function defaultHost(platform: HostPlatform = 'linux', unixSocket = DEFAULT_UNIX_SOCKET): string {
  return platformOf(platform).unix ? `unix://${unixSocket}` : `npipe://${DEFAULT_NAMED_PIPE}`
}

export interface DaemonHostOptions {
  /**
   * Address used for a bare `unix://`. moby always uses /var/run/docker.sock here, even rootless,
   * so leave it unset for parity.
   */
  defaultUnixSocket?: string
  platform?: HostPlatform
}

function simpleProtoAddr(proto: string, addr: string, defaultAddr: string, input: string): string {
  if (addr.includes('://')) throw new OptsError(`invalid bind address (${input}): invalid ${proto} address: ${addr}`)
  return `${proto}://${addr === '' ? defaultAddr : addr}`
}

/**
 * moby's ParseDaemonHost: normalises one -H value (`:5555` → `tcp://localhost:5555`, `unix://` →
 * the default socket, `fd://…` unchanged) or throws `invalid bind address (<input>): …`.
 */
export function parseDaemonHost(input: string, opts: DaemonHostOptions = {}): string {
  const platform = opts.platform ?? 'linux'
  const sep = input.indexOf('://')
  let proto = sep < 0 ? input : input.slice(0, sep)
  let addr = sep < 0 ? '' : input.slice(sep + 3)
  if (sep < 0 && proto !== '') {
    addr = proto
    proto = 'tcp'
  }

  switch (proto) {
    case 'tcp': {
      return parseTCPAddr(input, defaultTCPHost(platform))
    }

    case 'unix': {
      return simpleProtoAddr(proto, addr, opts.defaultUnixSocket ?? DEFAULT_UNIX_SOCKET, input)
    }

    case 'npipe': {
      return simpleProtoAddr(proto, addr, DEFAULT_NAMED_PIPE, input)
    }

    case 'fd': {
      return input
    }

    default: {
      throw new OptsError(`invalid bind address (${input}): unsupported proto '${proto}'`)
    }
  }
}

interface TCPParts {
  hostname: string
  port: string
}

/** moby's parseTCPAddr: strict = the address must have scheme, host and a non-zero port. */
function tcpParts(address: string, strict: boolean): TCPParts {
  if (!strict && !address.includes('://')) address = 'tcp://' + address
  const u = parseGoURL(address)
  if (u.scheme !== 'tcp') throw new OptsError(`unsupported proto '${u.scheme}'`)
  if (u.path !== '') throw new OptsError('should not contain a path element')
  if (strict && u.host === '') throw new OptsError('no host or IP address')
  const port = goURLPort(u)
  if (port !== '' || strict) {
    let p: number | undefined
    try {
      p = parseGoAtoi(port)
    } catch {
      p = undefined
    }

    // Only "not a number" and 0 are rejected: the 16-bit range is not checked.
    if (p === undefined || p === 0) throw new OptsError(`invalid port: ${port}`)
  }

  return {hostname: goURLHostname(u), port}
}

/**
 * moby's ParseTCPAddr: `tcp://host:port` from `tryAddr`, taking missing host/port from
 * `defaultAddr` (which must itself be a full `tcp://host:port`).
 */
export function parseTCPAddr(tryAddr: string, defaultAddr: string): string {
  let def: TCPParts
  try {
    def = tcpParts(defaultAddr, true)
  } catch (error) {
    throw new OptsError(`invalid default address (${defaultAddr}): ${(error as Error).message}`)
  }

  let addr: TCPParts
  try {
    addr = tcpParts(tryAddr, false)
  } catch (error) {
    throw new OptsError(`invalid bind address (${tryAddr}): ${(error as Error).message}`)
  }

  return 'tcp://' + goJoinHostPort(addr.hostname || def.hostname, addr.port || def.port)
}

/**
 * The -H flag validator: the trimmed value must parse unless empty (empty means default). Returns
 * the value untrimmed, because the later normalisation re-parses exactly what was typed.
 */
export function validateHost(value: string, opts: DaemonHostOptions = {}): string {
  const host = value.trim()
  if (host !== '') parseDaemonHost(host, opts)
  return value
}

export interface NormalizeHostsOptions extends DaemonHostOptions {
  /** Host to use when none is configured and TLS is off (the platform socket or pipe). */
  defaultHost: string
  /** Effective TLS setting; when on and no host is configured, the TLS host is used. */
  tls: boolean
}

/**
 * The post-merge step of loadDaemonCliConfig: drop empty/whitespace hosts, fall back to the default
 * host, parse each (untrimmed), then sort and de-duplicate.
 */
export function normalizeHosts(hosts: readonly string[], opts: NormalizeHostsOptions): string[] {
  let list = hosts.filter((h) => h.trim() !== '')
  if (list.length === 0) list = [opts.tls ? defaultTLSHost(opts.platform) : opts.defaultHost]
  const parsed = list.map((h) => parseDaemonHost(h, opts)).sort(compareGoStrings)
  return parsed.filter((h, i) => i === 0 || h !== parsed[i - 1])
}

/**
 * moby's ValidateExtraHost (`name:ip` for --add-host style values; `host-gateway` allowed).
 * Errors: `bad format for add-host: "<v>"`, `invalid IP address in add-host: "<ip>"`.
 */
export function validateExtraHost(value: string): string {
  const colon = value.indexOf(':')
  const name = colon < 0 ? value : value.slice(0, colon)
  if (colon < 0 || name === '') throw new OptsError(`bad format for add-host: ${goQuote(value)}`)
  const ip = value.slice(colon + 1)
  if (ip !== HOST_GATEWAY_NAME) {
    try {
      validateIPAddress(ip)
    } catch {
      throw new OptsError(`invalid IP address in add-host: ${goQuote(ip)}`)
    }
  }

  return value
}
