import {OptsError} from './errors.js'
import {
  formatGoURL,
  goFormatAddr,
  goFormatPrefix,
  goMaskPrefix,
  goNetParseIP,
  goParseAddr,
  goParsePrefix,
  goQuote,
  goSplitHostPort,
  parseGoAtoi,
  parseGoIntBig,
  parseGoUint32,
  parseGoURL,
} from './go.js'
import type {HostPlatform} from './hosts.js'

const message = (error: unknown): string => (error as Error).message

/**
 * One --exec-opt / `exec-opts` entry → [key lower-cased, value], as config.Validate checks it:
 * `key=value` with both non-empty after trimming, and a key known on the platform (Linux:
 * native.cgroupdriver; Windows: isolation). Errors: `invalid exec-opt (<raw>): must be formatted
 * 'opt=value'`, `…: unknown option: '<key>'`, `…: option 'isolation' is only supported on windows`,
 * `…: option 'native.cgroupdriver' is only supported on linux`.
 */
export function validateExecOpt(raw: string, platform: HostPlatform = 'linux'): [string, string] {
  const eq = raw.indexOf('=')
  const key = (eq < 0 ? raw : raw.slice(0, eq)).trim().toLowerCase()
  const value = (eq < 0 ? '' : raw.slice(eq + 1)).trim()
  if (eq < 0 || key === '' || value === '') throw new OptsError(`invalid exec-opt (${raw}): must be formatted 'opt=value'`)
  const windows = platform === 'win32'
  let problem: string | undefined
  if (key === 'isolation') {
    if (!windows) problem = `option '${key}' is only supported on windows`
  } else if (key === 'native.cgroupdriver') {
    if (windows) problem = `option '${key}' is only supported on linux`
  } else {
    problem = `unknown option: '${key}'`
  }

  if (problem) throw new OptsError(`invalid exec-opt (${raw}): ${problem}`)
  return [key, value]
}

/** All exec-opts → map (later keys win), failing on the first bad entry. */
export function validateExecOpts(list: readonly string[], platform: HostPlatform = 'linux'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of list) {
    const [k, v] = validateExecOpt(raw, platform)
    out[k] = v
  }

  return out
}

/**
 * registry.ValidateMirror: an http(s) URL without query, fragment or credentials; returns it with
 * exactly one trailing `/`. Errors: `invalid mirror: no scheme specified for "<u>": must use either
 * 'https://' or 'http://'`, `invalid mirror: "<u>" is not a valid URI: <url.Parse error>`,
 * `invalid mirror: unsupported scheme "ftp" in "ftp://example.com": must use either 'https://' or
 * 'http://'`, `invalid mirror: query or fragment at end of the URI "<u>"`, `invalid mirror:
 * username/password not allowed in URI "<u with password xxxxx>"`.
 */
export function validateMirror(mirrorURL: string): string {
  const sep = mirrorURL.indexOf('://')
  if (sep <= 0) {
    throw new OptsError(`invalid mirror: no scheme specified for ${goQuote(mirrorURL)}: must use either 'https://' or 'http://'`)
  }

  let uri
  try {
    uri = parseGoURL(mirrorURL)
  } catch (error) {
    throw new OptsError(`invalid mirror: ${goQuote(mirrorURL)} is not a valid URI: ${message(error)}`)
  }

  if (uri.scheme !== 'http' && uri.scheme !== 'https') {
    throw new OptsError(
      `invalid mirror: unsupported scheme ${goQuote(uri.scheme)} in ${goQuote(formatGoURL(uri))}: must use either 'https://' or 'http://'`,
    )
  }

  if (uri.rawQuery !== '' || uri.fragment !== '') {
    throw new OptsError(`invalid mirror: query or fragment at end of the URI ${goQuote(formatGoURL(uri))}`)
  }

  if (uri.user) {
    const masked = {...uri, user: {password: 'xxxxx', username: uri.user.username}}
    throw new OptsError(`invalid mirror: username/password not allowed in URI ${goQuote(formatGoURL(masked))}`)
  }

  return (mirrorURL.endsWith('/') ? mirrorURL.slice(0, -1) : mirrorURL) + '/'
}

/**
 * registry.ValidateIndexName, the --insecure-registry flag validator: `index.docker.io` becomes
 * `docker.io`; a leading or trailing hyphen fails with `invalid index name (<v>). Cannot begin or
 * end with a hyphen`.
 */
export function validateInsecureRegistry(value: string): string {
  const val = value === 'index.docker.io' ? 'docker.io' : value
  if (val.startsWith('-') || val.endsWith('-')) {
    throw new OptsError(`invalid index name (${val}). Cannot begin or end with a hyphen`)
  }

  return val
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const VALID_HOST_PORT = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?$`,
)

function validateHostPort(s: string): void {
  const split = goSplitHostPort(s)
  const host = split ? split[0] : s
  const port = split ? split[1] : ''
  if (!VALID_HOST_PORT.test(s) && !goNetParseIP(host)) throw new OptsError(`invalid host ${goQuote(host)}`)
  if (port !== '') {
    const v = parseGoAtoi(port)
    if (v < 0 || v > 65_535) throw new OptsError(`invalid port ${goQuote(port)}`)
  }
}

/** An insecure-registry entry as the registry service keeps it. */
export type InsecureRegistry =
  | {cidr: string; kind: 'cidr'; warning?: string}
  | {kind: 'index'; name: string; warning?: string}

/**
 * The registry service's check of one insecure registry when the daemon starts (after the flag's
 * validateInsecureRegistry): an `http://`/`https://` prefix is dropped with a warning, another
 * scheme fails (`insecure registry <r> should not contain '://'`), then the entry is a CIDR
 * (masked) or a `host[:port]` (`insecure registry <r> is not valid: invalid host "<h>"` /
 * `…: invalid port "<p>"` / strconv.Atoi's text).
 */
export function loadInsecureRegistry(value: string): InsecureRegistry {
  let r = validateInsecureRegistry(value)
  let warning: string | undefined
  const sep = r.indexOf('://')
  if (sep >= 0) {
    const scheme = r.slice(0, sep)
    const lowered = scheme.toLowerCase()
    if (lowered !== 'http' && lowered !== 'https') throw new OptsError(`insecure registry ${r} should not contain '://'`)
    warning = `insecure registry ${r} should not contain '${scheme}' and '${scheme}s' has been removed from the insecure registry config`
    r = r.slice(sep + 3)
  }

  let cidr: string | undefined
  try {
    cidr = goFormatPrefix(goMaskPrefix(goParsePrefix(r)))
  } catch {
    cidr = undefined
  }

  if (cidr !== undefined) return warning === undefined ? {cidr, kind: 'cidr'} : {cidr, kind: 'cidr', warning}
  try {
    validateHostPort(r)
  } catch (error) {
    throw new OptsError(`insecure registry ${r} is not valid: ${message(error)}`)
  }

  return warning === undefined ? {kind: 'index', name: r} : {kind: 'index', name: r, warning}
}

/** The --node-generic-resource flag validator: `invalid node-generic-resource format `<v>` expected `name=value``. */
export function validateGenericResource(value: string): string {
  if (!value.includes('=')) throw new OptsError(`invalid node-generic-resource format \`${value}\` expected \`name=value\``)
  return value
}

/** A node generic resource: a count (`GPU=2`) or one named item per value (`GPU=UUID1`). */
export type GenericResource = {kind: 'discrete'; name: string; value: number} | {kind: 'named'; name: string; value: string}

function discreteValue(s: string): bigint | undefined {
  try {
    return parseGoIntBig(s, 10, 64)
  } catch {
    return undefined
  }
}

/**
 * swarmkit genericresource.Parse as config.Validate applies it to node-generic-resources. Errors:
 * `could not parse GenericResource: incorrect term <t>, missing '=' or malformed expression`,
 * `could not parse GenericResource: cannot ask for negative resource <k>`,
 * `could not parse GenericResource: mixed discrete and named resources in expression '<k>=[a b]'`.
 * Keys are checked in first-seen order (swarmkit iterates a map).
 */
export function validateGenericResources(list: readonly string[]): GenericResource[] {
  const tokens = new Map<string, string[]>()
  for (const term of list) {
    const kv = term.split('=')
    if (kv.length !== 2) {
      throw new OptsError(`could not parse GenericResource: incorrect term ${term}, missing '=' or malformed expression`)
    }

    const key = kv[0].trim()
    tokens.set(key, [...(tokens.get(key) ?? []), kv[1].trim()])
  }

  const out: GenericResource[] = []
  for (const [name, values] of tokens) {
    const n = values.length === 1 ? discreteValue(values[0]) : undefined
    if (n !== undefined) {
      if (n < 0n) throw new OptsError(`could not parse GenericResource: cannot ask for negative resource ${name}`)
      out.push({kind: 'discrete', name, value: Number(n)})
      continue
    }

    if (values.every((v) => discreteValue(v) === undefined)) {
      for (const value of values) out.push({kind: 'named', name, value})
      continue
    }

    throw new OptsError(
      `could not parse GenericResource: mixed discrete and named resources in expression '${name}=[${values.join(' ')}]'`,
    )
  }

  return out
}

/**
 * bridge-accept-fwmark `mark[/mask]`, each a uint32 in Go base-0 syntax. Errors (the caller adds
 * `invalid bridge-accept-fwmark: `): `invalid firewall mark "<v>": <ParseUint error>` /
 * `invalid firewall mask "<v>": …`.
 */
export function validateFwMark(value: string): {mark: number; mask?: number} | undefined {
  if (value === '') return undefined
  const slash = value.indexOf('/')
  const markStr = slash < 0 ? value : value.slice(0, slash)
  let mark: number
  try {
    mark = parseGoUint32(markStr)
  } catch (error) {
    throw new OptsError(`invalid firewall mark ${goQuote(value)}: ${message(error)}`)
  }

  if (slash < 0) return {mark}
  try {
    return {mark, mask: parseGoUint32(value.slice(slash + 1))}
  } catch (error) {
    throw new OptsError(`invalid firewall mask ${goQuote(value)}: ${message(error)}`)
  }
}

/**
 * ValidateHostGatewayIPs: at most one IPv4 and one IPv6 address (IPv4-mapped counts as IPv6).
 * Each entry is parsed first (netip errors), and the normalised list is returned.
 */
export function validateHostGatewayIPs(ips: readonly string[]): string[] {
  let have4 = false
  let have6 = false
  return ips.map((ip) => {
    const a = goParseAddr(ip)
    if (a.is4) {
      if (have4) throw new OptsError('only one IPv4 host gateway IP address can be specified')
      have4 = true
    } else {
      if (have6) throw new OptsError('only one IPv6 host gateway IP address can be specified')
      have6 = true
    }

    return goFormatAddr(a)
  })
}

/** config.MaskCredentials: `scheme://xxxxx:xxxxx@host…` when the URL has userinfo, else unchanged. */
export function maskURLCredentials(rawURL: string): string {
  let u
  try {
    u = parseGoURL(rawURL)
  } catch {
    return rawURL
  }

  if (!u.user) return rawURL
  return formatGoURL({...u, user: {password: 'xxxxx', username: 'xxxxx'}})
}

/** A value as it may be printed: an option marked sensitive has its URL credentials masked. */
export function maskSensitive(option: {sensitive?: 'url-credentials'}, value: string): string {
  return option.sensitive === 'url-credentials' ? maskURLCredentials(value) : value
}

/**
 * A closed set of values as the option table declares it (spread into the option's spec): the
 * enum is the rule, for validation, help and the JSON Schema alike. "" (unset) is always accepted.
 */
export interface EnumRule {
  enum: readonly string[]
  enumCase?: 'insensitive'
  enumError: (value: string) => string
}

/** The refusal of `value` by an enum rule, or undefined when the rule takes it. */
export function enumProblem(rule: {enum: readonly string[]; enumCase?: 'insensitive'}, value: string, error: (value: string) => string): string | undefined {
  if (value === '') return undefined
  const v = rule.enumCase === 'insensitive' ? value.toLowerCase() : value
  return rule.enum.includes(v) ? undefined : error(value)
}

function enumValidator(rule: EnumRule): (value: string) => void {
  return (value) => {
    const problem = enumProblem(rule, value, rule.enumError)
    if (problem) throw new OptsError(problem)
  }
}

/** Every level logrus.ParseLevel takes, any case; `warning` is refused. */
export const LOG_LEVEL_RULE = {
  enum: ['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'],
  enumCase: 'insensitive',
  enumError: (v: string) => `invalid logging level: ${v}`,
} as const satisfies EnumRule

/** log-level ∈ panic…trace (case-insensitive; `warning` is rejected; "" is fine): `invalid logging level: <v>`. */
export const validateLogLevel = enumValidator(LOG_LEVEL_RULE)

export const LOG_FORMAT_RULE = {enum: ['text', 'json'], enumError: (v: string) => `invalid log format: ${v}`} as const satisfies EnumRule

/** log-format ∈ "", text, json (case-sensitive): `invalid log format: <v>`. */
export const validateLogFormat = enumValidator(LOG_FORMAT_RULE)

/** The `embedded-containerd` feature cannot be combined with --cri-containerd. */
export function validateFeatureConflicts(features: Readonly<Record<string, boolean>>, criContainerd: boolean): void {
  if (features['embedded-containerd'] && criContainerd) {
    throw new OptsError(
      'conflicting options: cannot use the "embedded-containerd" feature and CRI support (--cri-containerd) at the same time',
    )
  }
}

/** The numeric checks of config.Validate (only the fields given are checked). */
export function validateNumbers(n: {
  defaultStopTimeout?: number
  maxConcurrentDownloads?: number
  maxConcurrentUploads?: number
  maxDownloadAttempts?: number
  mtu?: number
  networkDiagnosticPort?: number
}): void {
  if (n.mtu !== undefined && n.mtu < 0) throw new OptsError(`invalid default MTU: ${n.mtu}`)
  if (n.maxConcurrentDownloads !== undefined && n.maxConcurrentDownloads < 0) {
    throw new OptsError(`invalid max concurrent downloads: ${n.maxConcurrentDownloads}`)
  }

  if (n.maxConcurrentUploads !== undefined && n.maxConcurrentUploads < 0) {
    throw new OptsError(`invalid max concurrent uploads: ${n.maxConcurrentUploads}`)
  }

  if (n.maxDownloadAttempts !== undefined && n.maxDownloadAttempts < 0) {
    throw new OptsError(`invalid max download attempts: ${n.maxDownloadAttempts}`)
  }

  if (n.defaultStopTimeout !== undefined && n.defaultStopTimeout < 0) {
    throw new OptsError(`invalid default stop timeout: ${n.defaultStopTimeout}`)
  }

  const port = n.networkDiagnosticPort
  if (port !== undefined && (port < 0 || port > 65_535)) {
    throw new OptsError(`invalid network-diagnostic-port (${port}): value must be between 0 and 65535`)
  }
}

const IPC_HINT = 'use "shareable" or "private"'

/** Linux default-ipc-mode: "", private or shareable; the other valid IPC modes are refused as defaults with their own text. */
export const IPC_MODE_RULE = {
  enum: ['shareable', 'private'],
  enumError: (v: string) =>
    ['none', 'host'].includes(v) || v.startsWith('container:')
      ? `IPC mode "${v}" is not supported as default value; ${IPC_HINT}`
      : `default IPC mode setting (${v}) is invalid; ${IPC_HINT}`,
} as const satisfies EnumRule

export const validateIpcMode = enumValidator(IPC_MODE_RULE)

/** Linux default-cgroupns-mode: "", host or private. */
export const CGROUPNS_MODE_RULE = {
  enum: ['host', 'private'],
  enumError: (v: string) => `invalid default cgroup namespace (${v}): use "host" or "private"`,
} as const satisfies EnumRule

export const validateCgroupnsMode = enumValidator(CGROUPNS_MODE_RULE)

export const FIREWALL_BACKEND_RULE = {
  enum: ['iptables', 'nftables'],
  enumError: () => 'invalid firewall-backend: allowed values are "iptables" and "nftables"',
} as const satisfies EnumRule

/** firewall-backend: "", iptables or nftables on Linux; must be unset on Windows. */
export function validateFirewallBackend(value: string, platform: HostPlatform = 'linux'): void {
  if (platform === 'win32') {
    if (value !== '') throw new OptsError('firewall-backend can only be configured on Linux')
    return
  }

  enumValidator(FIREWALL_BACKEND_RULE)(value)
}
