// GET /info (§7.4): moby's system.Info as this daemon can truthfully fill it, plus the per-API-
// version shaping of daemon/server/router/system/system_routes.go getInfo.
//
// What this daemon is: an API endpoint that runs no containers, pulls no images and starts no
// containerd, network controller, NRI or plugins. Fields about such machinery carry the zero value
// moby itself reports when the part is absent (e.g. `N/A` commits, no `NRI`), fields about the host
// are read from the host, and fields about the configuration echo the configuration.
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import os from 'node:os'

import {versionLessThan} from '../api/versions.js'
import type {DaemonConfig} from '../config/types.js'
import {formatRFC3339Nano} from '../go/time.js'
import {compareGoStrings} from '../opts/go.js'
import type {AddressPool} from '../opts/maps.js'
import {goos, hostPlatform} from '../platform/target.js'
import {loadInsecureRegistry, maskURLCredentials, validateExecOpt, validateGenericResources, validateMirror} from '../opts/validators.js'

export type InfoPlatform = 'linux' | 'win32' | 'freebsd' | 'darwin'

/** Host facts that do not change while the daemon runs; read once (tests may override them). */
export interface HostFacts {
  /** os-release PRETTY_NAME (+ ` (containerized)`), `Linux` when unset. */
  operatingSystem: string
  /** os-release VERSION_ID. */
  osVersion: string
  /** "1" or "2" (`/sys/fs/cgroup/cgroup.controllers` present = unified). */
  cgroupVersion: string
  /** systemd is PID 1 (`/run/systemd/system` exists), which makes cgroup v2 default to the systemd driver. */
  systemd: boolean
  /** containerd's apparmor.HostSupports(). */
  apparmor: boolean
  /** SELinux is enabled on the host (selinuxfs mounted). */
  selinux: boolean
  /** The kernel has cgroup namespaces (`/proc/self/ns/cgroup`). */
  cgroupNamespaces: boolean
}

export interface InfoInputs {
  config: DaemonConfig
  engineID: string
  serverVersion: string
  gitCommit: string
  platform: InfoPlatform
  /** The open API listeners; TCP ones without client verification get the §6.5 warning. */
  listeners: Array<{host: string; addr: string; tls: boolean; verify: boolean}>
  /** Current `/events` subscribers. */
  eventsListeners: number
  /** Warnings gathered at start-up that `/info` should repeat (appended last). */
  startWarnings?: string[]
  /** Where HTTP_PROXY & co. are read when the configuration has no proxy (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Overrides of the cached host facts (tests). */
  host?: Partial<HostFacts>
}

/** registry.IndexServer. */
export const INDEX_SERVER = 'https://index.docker.io/v1/'

/** moby's built-in network drivers as `docker info` lists them (libnetwork registers these). */
const NETWORK_DRIVERS: Record<InfoPlatform, string[]> = {
  darwin: ['bridge', 'host', 'null'],
  freebsd: ['bridge', 'host', 'null'],
  linux: ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'],
  win32: ['ics', 'internal', 'l2bridge', 'l2tunnel', 'nat', 'null', 'overlay', 'private', 'transparent'],
}

/** logger.ListDrivers() of the built-in log drivers (daemon/logdrivers_<os>.go), sorted. */
const LOG_DRIVERS: Record<InfoPlatform, string[]> = {
  darwin: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'json-file', 'local', 'splunk', 'syslog'],
  freebsd: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'json-file', 'local', 'splunk', 'syslog'],
  linux: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'splunk', 'syslog'],
  win32: ['awslogs', 'etwlogs', 'fluentd', 'gcplogs', 'gelf', 'json-file', 'local', 'splunk', 'syslog'],
}

/** The storage driver reported when none is configured: this daemon stores no layers. */
export const NO_STORAGE_DRIVER = 'none'

// ---------------------------------------------------------------------------------------------
// Host facts

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** pkg/parsers/operatingsystem getValueFromOsRelease: the last `KEY=` line, quotes/spaces trimmed. */
export function osReleaseValue(text: string, key: string): string {
  let value = ''
  for (const line of text.split('\n')) {
    if (line.startsWith(key + '=')) value = trimSet(line.slice(key.length + 1), `"' `)
  }

  return value
}

function trimSet(s: string, set: string): string {
  let a = 0
  let b = s.length
  while (a < b && set.includes(s[a])) a++
  while (b > a && set.includes(s[b - 1])) b--
  return s.slice(a, b)
}

/** operatingsystem.IsContainerized: any /proc/1/cgroup line not ending in `:/` or `:/init.scope`. */
export function isContainerized(proc1Cgroup: string): boolean {
  return proc1Cgroup.split('\n').some((line) => line.length > 0 && !line.endsWith(':/') && !line.endsWith(':/init.scope'))
}

function linuxHostFacts(): HostFacts {
  const release = readText('/etc/os-release') ?? readText('/usr/lib/os-release')
  // No os-release at all: moby reports "" (and logs a warning); "Linux" is os-release's own default.
  let operatingSystem = (release === undefined ? '' : osReleaseValue(release, 'PRETTY_NAME')) || 'Linux'
  const proc1 = readText('/proc/1/cgroup')
  if (proc1 === undefined) operatingSystem += ' (error determining if containerized)'
  else if (isContainerized(proc1)) operatingSystem += ' (containerized)'
  const apparmorEnabled = readText('/sys/module/apparmor/parameters/enabled') ?? ''
  return {
    apparmor:
      !process.env.container &&
      existsSync('/sys/kernel/security/apparmor') &&
      apparmorEnabled.startsWith('Y') &&
      existsSync('/sbin/apparmor_parser'),
    cgroupNamespaces: existsSync('/proc/self/ns/cgroup'),
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
    operatingSystem,
    osVersion: release === undefined ? '' : osReleaseValue(release, 'VERSION_ID'),
    selinux: existsSync('/sys/fs/selinux/enforce'),
    systemd: existsSync('/run/systemd/system'),
  }
}

function otherHostFacts(): HostFacts {
  const platform = hostPlatform()
  const operatingSystem =
    platform === 'win32' ? os.version() || 'Microsoft Windows' : platform === 'darwin' ? 'Darwin' : platform === 'freebsd' ? 'FreeBSD' : os.type()
  return {
    apparmor: false,
    cgroupNamespaces: false,
    cgroupVersion: '1',
    operatingSystem,
    osVersion: platform === 'win32' ? os.release() : '',
    selinux: false,
    systemd: false,
  }
}

let cachedHost: HostFacts | undefined

/** The host facts, read on first use and cached (os-release, cgroup mode, LSMs). */
export function hostFacts(): HostFacts {
  cachedHost ??= hostPlatform() === 'linux' ? linuxHostFacts() : otherHostFacts()
  return cachedHost
}

/** How long the volatile host readings (open fds, ip_forward) are reused; /info is called per request. */
const VOLATILE_TTL_MS = 1000
let volatile: {at: number; fds: number; forwarding: boolean} | undefined

function volatileFacts(): {fds: number; forwarding: boolean} {
  const now = Date.now()
  if (volatile === undefined || now - volatile.at >= VOLATILE_TTL_MS || now < volatile.at) {
    volatile = {at: now, fds: openFdCount(), forwarding: ipv4Forwarding()}
  }

  return volatile
}

/** sysctl net.ipv4.ip_forward (sysinfo.IPv4ForwardingDisabled). */
function ipv4Forwarding(): boolean {
  if (hostPlatform() !== 'linux') return false
  return (readText('/proc/sys/net/ipv4/ip_forward') ?? '0').trim() === '1'
}

/**
 * filedescriptors.GetTotalUsedFds: entries of /proc/self/fd (the directory's own fd included, as
 * in Go); /dev/fd elsewhere; 3 (stdio) when neither can be listed.
 */
export function openFdCount(): number {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      const n = readdirSync(dir).length
      if (n > 0) return n
    } catch {
      // next
    }
  }

  return 3
}

/**
 * Stand-in for runtime.NumGoroutine(): the main JavaScript thread plus every libuv resource
 * (handle, request, timer) currently keeping the event loop alive, i.e. the units of concurrent
 * work in flight. Never 0.
 */
export function activeTaskCount(): number {
  return 1 + process.getActiveResourcesInfo().length
}

// ---------------------------------------------------------------------------------------------
// Time

export {formatRFC3339Nano} from '../go/time.js'

/** time.Now().Format(time.RFC3339Nano): wall clock, with µs digits when the monotonic clock agrees. */
function systemTime(): string {
  const wall = Date.now()
  const precise = performance.timeOrigin + performance.now()
  if (Math.abs(precise - wall) < 1) {
    const ms = Math.floor(precise)
    return formatRFC3339Nano(ms, Math.floor((precise - ms) * 1000) * 1000)
  }

  return formatRFC3339Nano(wall)
}

// ---------------------------------------------------------------------------------------------
// Configuration-derived parts

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [])

function execOpt(config: DaemonConfig, name: string, platform: InfoPlatform): string {
  let found = ''
  for (const raw of list(config.values['exec-opt'])) {
    try {
      const [k, v] = validateExecOpt(raw, platform)
      if (k === name) found = v
    } catch {
      // invalid entries never reach a running daemon
    }
  }

  return found
}

/** daemon_unix.go cgroupDriver(): systemd if asked (or the cgroup v2 + systemd default), none when rootless, else cgroupfs. */
export function cgroupDriver(config: DaemonConfig, platform: InfoPlatform, host: HostFacts): string {
  const cd = execOpt(config, 'native.cgroupdriver', platform)
  if (cd === 'systemd' || (cd === '' && host.cgroupVersion === '2' && host.systemd)) return 'systemd'
  if (config.values.rootless) return 'none'
  return 'cgroupfs'
}

/** setupSeccompProfile: "" and `builtin` → `builtin`; `unconfined`; else the profile path. */
export function seccompProfile(config: DaemonConfig): string {
  const p = str(config.values['seccomp-profile'])
  return p === '' ? 'builtin' : p
}

/** registry.newServiceConfig → ServiceConfig (`InsecureRegistryCIDRs`, `IndexConfigs`, `Mirrors`). */
export function registryConfig(config: DaemonConfig): Record<string, unknown> {
  const mirrors: string[] = []
  for (const raw of list(config.values['registry-mirror'])) {
    let m: string
    try {
      m = validateMirror(raw)
    } catch {
      continue
    }

    if (!mirrors.includes(m)) mirrors.push(m)
  }

  const cidrs: string[] = []
  const indexes = new Map<string, Record<string, unknown>>()
  for (const raw of [...list(config.values['insecure-registry']), '::1/128', '127.0.0.0/8']) {
    let r
    try {
      r = loadInsecureRegistry(raw)
    } catch {
      continue
    }

    if (r.kind === 'cidr') {
      if (!cidrs.includes(r.cidr)) cidrs.push(r.cidr)
    } else {
      indexes.set(r.name, {Name: r.name, Mirrors: [], Secure: false, Official: false})
    }
  }

  indexes.set('docker.io', {Name: 'docker.io', Mirrors: [...mirrors], Secure: true, Official: true})
  const indexConfigs: Record<string, unknown> = {}
  for (const name of [...indexes.keys()].sort(goKeyOrder)) indexConfigs[name] = indexes.get(name)
  return {InsecureRegistryCIDRs: cidrs, IndexConfigs: indexConfigs, Mirrors: mirrors}
}

function proxyValue(configured: unknown, env: NodeJS.ProcessEnv, names: string[]): string {
  const c = str(configured)
  if (c !== '') return c
  for (const n of names) if (env[n]) return env[n] as string
  return ''
}

/** command/daemon.go CDI normalisation: default /etc/cdi + /var/run/cdi; `[""]` or `cdi: false` → none. */
export function cdiSpecDirs(config: DaemonConfig): string[] {
  const features = (config.values.feature ?? {}) as Record<string, boolean>
  if (Object.hasOwn(features, 'cdi') && !features.cdi) return []
  const given = config.values['cdi-spec-dir']
  let dirs: string[]
  if (Array.isArray(given) && given.length > 0) dirs = given.map(String)
  else if (config.fileKeys.has('cdi-spec-dir') || config.explicit.has('cdi-spec-dir')) dirs = []
  else dirs = ['/etc/cdi', '/var/run/cdi']
  if (dirs.length === 1 && dirs[0] === '') return []
  return dirs
}

interface RuntimeEntry {
  path?: string
  runtimeArgs?: string[]
}

function runtimes(config: DaemonConfig): Record<string, RuntimeEntry> {
  const all = new Map<string, RuntimeEntry>([
    ['io.containerd.runc.v2', {path: 'runc'}],
    ['runc', {path: 'runc'}],
  ])
  const user = (config.values['add-runtime'] ?? {}) as Record<string, {path?: unknown; runtimeArgs?: unknown}>
  for (const [name, rt] of Object.entries(user)) {
    const entry: RuntimeEntry = {}
    if (typeof rt?.path === 'string' && rt.path !== '') entry.path = rt.path
    if (Array.isArray(rt?.runtimeArgs) && rt.runtimeArgs.length > 0) entry.runtimeArgs = rt.runtimeArgs.map(String)
    all.set(name, entry)
  }

  // No `status`: moby fills it from `<runtime> features`, which this daemon never runs, and an
  // empty status map is omitted (omitempty).
  const out: Record<string, RuntimeEntry> = {}
  for (const name of [...all.keys()].sort(goKeyOrder)) out[name] = all.get(name)!
  return out
}

function genericResources(config: DaemonConfig): unknown[] | null {
  const raw = list(config.values['node-generic-resource'])
  if (raw.length === 0) return null
  try {
    return validateGenericResources(raw).map((r) => {
      const spec: Record<string, unknown> = {}
      if (r.name !== '') spec.Kind = r.name
      if (r.kind === 'discrete') {
        if (r.value !== 0) spec.Value = r.value
        return {DiscreteResourceSpec: spec}
      }

      if (r.value !== '') spec.Value = r.value
      return {NamedResourceSpec: spec}
    })
  } catch {
    return null
  }
}

const ATTACK_SURFACE = `
         Access to the remote API is equivalent to root access on the host. Refer
         to the 'Docker daemon attack surface' section in the documentation for
         more information: https://docs.docker.com/go/attack-surface/`
const REMOVAL = 'In future versions this will be a hard failure preventing the daemon from starting! Learn more at: https://docs.docker.com/go/api-security/'

/** fillAPIInfo: one warning per `tcp://` host served without TLS, or with TLS but no client verification. */
export function apiWarnings(listeners: InfoInputs['listeners']): string[] {
  const out: string[] = []
  for (const l of listeners) {
    const sep = l.host.indexOf('://')
    if (sep < 0 || l.host.slice(0, sep) !== 'tcp') continue
    const addr = l.host.slice(sep + 3)
    if (!l.tls) out.push(`[DEPRECATION NOTICE]: API is accessible on http://${addr} without encryption.${ATTACK_SURFACE}\n${REMOVAL}`)
    else if (!l.verify) out.push(`[DEPRECATION NOTICE]: API is accessible on https://${addr} without TLS client verification.${ATTACK_SURFACE}\n${REMOVAL}`)
  }

  return out
}

function securityOptions(config: DaemonConfig, platform: InfoPlatform, host: HostFacts, warnings: string[]): string[] | null {
  if (platform !== 'linux') return null
  const v = config.values
  const out: string[] = []
  if (host.apparmor) out.push('name=apparmor')
  const profile = seccompProfile(config)
  if (profile !== 'builtin') warnings.push('WARNING: daemon is not using the default seccomp profile')
  out.push('name=seccomp,profile=' + profile)
  if (v['selinux-enabled'] && host.selinux) out.push('name=selinux')
  if (str(v['userns-remap']) !== '') out.push('name=userns')
  if (v.rootless) out.push('name=rootless')
  if (host.cgroupNamespaces && v['default-cgroupns-mode'] === 'private') out.push('name=cgroupns')
  if (v['no-new-privileges']) out.push('name=no-new-privileges')
  return out
}

function firewallBackend(config: DaemonConfig, platform: InfoPlatform): Record<string, unknown> | undefined {
  if (platform !== 'linux') return undefined
  const info: Array<[string, string]> = []
  if (config.values['userland-proxy'] !== false) {
    info.push(['EnableUserlandProxy', 'true'])
    const path = str(config.values['userland-proxy-path'])
    if (path !== '') info.push(['UserlandProxyPath', path])
  }

  const fw: Record<string, unknown> = {Driver: str(config.values['firewall-backend']) || 'iptables'}
  if (info.length > 0) fw.Info = info
  return fw
}

// ---------------------------------------------------------------------------------------------
// The object

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const x of Object.values(v)) deepFreeze(x)
  }

  return v
}

interface Derived {
  cdiSpecDirs: readonly string[]
  genericResources: readonly unknown[] | null
  registryConfig: Readonly<Record<string, unknown>>
  runtimes: Readonly<Record<string, RuntimeEntry>>
}

/** The parsed parts of a configuration, computed once per (immutable) DaemonConfig and frozen. */
const derivedCache = new WeakMap<DaemonConfig, Derived>()

function configDerived(config: DaemonConfig): Derived {
  let d = derivedCache.get(config)
  if (d === undefined) {
    d = deepFreeze({
      cdiSpecDirs: cdiSpecDirs(config),
      genericResources: genericResources(config),
      registryConfig: registryConfig(config),
      runtimes: runtimes(config),
    })
    derivedCache.set(config, d)
  }

  return d
}

/**
 * The `/info` body for `apiVersion`, field for field in system.Info order (API ≥ 1.50), or
 * moby's legacy shape below that (extra fields merged through a map, hence sorted keys).
 */
export function buildInfo(inputs: InfoInputs, apiVersion: string): Record<string, unknown> {
  const {config, platform} = inputs
  const v = config.values
  const host: HostFacts = {...hostFacts(), ...inputs.host}
  const env = inputs.env ?? process.env
  const unix = platform !== 'win32'
  const warnings: string[] = []
  const live = volatileFacts()
  const derived = configDerived(config)

  const features = (v.feature ?? {}) as Record<string, boolean>
  if (features['embedded-containerd']) {
    warnings.push('WARNING: Running with experimental embedded-containerd mode. This feature may change or be removed in a future release.')
  }

  warnings.push(...apiWarnings(inputs.listeners))
  const security = securityOptions(config, platform, host, warnings)
  warnings.push(...(inputs.startWarnings ?? []))

  const authz = v['authorization-plugin']
  const commit = unix ? 'N/A' : ''
  const pools = (Array.isArray(v['default-address-pool']) ? v['default-address-pool'] : []) as AddressPool[]
  const containerdAddr = str(v.containerd)

  const info: Record<string, unknown> = {
    ID: inputs.engineID,
    Containers: 0,
    ContainersRunning: 0,
    ContainersPaused: 0,
    ContainersStopped: 0,
    Images: 0,
    // No layer store exists: the configured --storage-driver is echoed (what the user asked for),
    // otherwise `none` rather than pretending to run overlay2.
    Driver: str(v['storage-driver']) || NO_STORAGE_DRIVER,
    DriverStatus: [],
    // moby's built-in driver names (the values the configuration accepts); nothing is loaded here.
    Plugins: {
      Volume: ['local'],
      Network: [...NETWORK_DRIVERS[platform]],
      Authorization: Array.isArray(authz) ? authz.map(String) : null,
      Log: [...LOG_DRIVERS[platform]],
    },
    // Resource-limit capabilities: this daemon creates no containers, so it enforces none.
    MemoryLimit: false,
    SwapLimit: false,
    CpuCfsPeriod: false,
    CpuCfsQuota: false,
    CPUShares: false,
    CPUSet: false,
    PidsLimit: false,
    IPv4Forwarding: live.forwarding,
    Debug: Boolean(v.debug),
    NFd: live.fds,
    OomKillDisable: false,
    NGoroutines: activeTaskCount(),
    SystemTime: systemTime(),
    LoggingDriver: str(v['log-driver']) || 'json-file',
    CgroupDriver: unix ? cgroupDriver(config, platform, host) : '',
  }
  if (unix) info.CgroupVersion = host.cgroupVersion
  Object.assign(info, {
    NEventsListener: inputs.eventsListeners,
    KernelVersion: os.release(),
    OperatingSystem: host.operatingSystem,
    OSVersion: host.osVersion,
    OSType: goos(platform),
    Architecture: os.machine(),
    IndexServerAddress: INDEX_SERVER,
    RegistryConfig: derived.registryConfig,
    NCPU: os.availableParallelism(),
    MemTotal: os.totalmem(),
    GenericResources: derived.genericResources,
    DockerRootDir: str(v['data-root']),
    HttpProxy: maskURLCredentials(proxyValue(v['http-proxy'], env, ['HTTP_PROXY', 'http_proxy'])),
    HttpsProxy: maskURLCredentials(proxyValue(v['https-proxy'], env, ['HTTPS_PROXY', 'https_proxy'])),
    NoProxy: proxyValue(v['no-proxy'], env, ['NO_PROXY', 'no_proxy']),
    Name: safeHostname(),
    Labels: list(v.label),
    ExperimentalBuild: Boolean(v.experimental),
    ServerVersion: inputs.serverVersion,
    Runtimes: unix ? derived.runtimes : null,
    DefaultRuntime: unix ? str(v['default-runtime']) || 'runc' : '',
    Swarm: {NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null},
    LiveRestoreEnabled: Boolean(v['live-restore']),
    Isolation: unix ? '' : execOpt(config, 'isolation', platform).toLowerCase() || 'process',
    InitBinary: unix ? str(v['init-path']) || 'docker-init' : '',
    ContainerdCommit: {ID: commit},
    RuncCommit: {ID: commit},
    InitCommit: {ID: commit},
    SecurityOptions: security,
  })
  if (pools.length > 0) info.DefaultAddressPools = pools.map((p) => ({Base: p.base, Size: p.size}))
  const fw = firewallBackend(config, platform)
  if (fw) info.FirewallBackend = fw
  info.CDISpecDirs = derived.cdiSpecDirs
  // DiscoveredDevices (omitempty): no device driver lists devices here. NRI (omitempty): no NRI
  // adaptation is started, and moby reports NRI only for a running one.
  if (containerdAddr !== '') {
    info.Containerd = {
      Address: containerdAddr,
      Namespaces: {Containers: str(v['containerd-namespace']) || 'moby', Plugins: str(v['containerd-plugins-namespace']) || 'plugins.moby'},
    }
  }

  info.Warnings = warnings
  return shapeForVersion(info, apiVersion)
}

function safeHostname(): string {
  try {
    return os.hostname()
  } catch {
    return ''
  }
}

// ---------------------------------------------------------------------------------------------
// Version shaping (system_routes.go getInfo + compat.Wrap)

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** compat.appendFields: additive, recursive; an existing non-null value wins. Nested objects are copied, not mutated. */
function appendFields(src: Record<string, unknown>, dst: Record<string, unknown>): void {
  for (const [k, val] of Object.entries(src)) {
    if (isPlainObject(val) && isPlainObject(dst[k])) {
      const copy = {...(dst[k] as Record<string, unknown>)}
      appendFields(val, copy)
      dst[k] = copy
      continue
    }

    if (!Object.hasOwn(dst, k) || dst[k] === null || dst[k] === undefined) dst[k] = val
  }
}

/** Byte-wise (UTF-8) order; UTF-16 order agrees with it unless a key has astral characters. */
export function goKeyOrder(a: string, b: string): number {
  if (/[\uD800-\uDFFF]/.test(a) || /[\uD800-\uDFFF]/.test(b)) return compareGoStrings(a, b)
  return a < b ? -1 : a > b ? 1 : 0
}

/** encoding/json of a map[string]any: object keys sorted byte-wise, at every depth. */
function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => sortKeysDeep(x))
  if (!isPlainObject(v)) return v
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(v).sort(goKeyOrder)) if (v[k] !== undefined) out[k] = sortKeysDeep(v[k])
  return out
}

/**
 * < 1.44 runtimes lose `status`; < 1.46 no `Containerd`; < 1.47 `RegistryConfig` gains
 * `AllowNondistributableArtifactsCIDRs/Hostnames: null`; < 1.49 no `FirewallBackend`, commits gain
 * `Expected`; < 1.50 `BridgeNfIptables/BridgeNfIp6tables: false`, no `DiscoveredDevices`;
 * < 1.53 no `NRI`. When extra fields are merged moby round-trips through a map, so keys come out
 * sorted.
 */
export function shapeForVersion(info: Record<string, unknown>, apiVersion: string): Record<string, unknown> {
  const lt = (x: string) => versionLessThan(apiVersion, x)
  const extras: Record<string, unknown> = {}
  if (lt('1.44') && isPlainObject(info.Runtimes)) {
    const rts: Record<string, unknown> = {}
    for (const [name, rt] of Object.entries(info.Runtimes)) {
      const {status: _status, ...rest} = rt as Record<string, unknown>
      rts[name] = rest
    }

    info.Runtimes = rts
  }

  if (lt('1.46')) delete info.Containerd
  if (lt('1.47')) extras.RegistryConfig = {AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null}
  if (lt('1.49')) {
    delete info.FirewallBackend
    for (const k of ['ContainerdCommit', 'RuncCommit', 'InitCommit']) {
      extras[k] = {Expected: (info[k] as {ID?: string} | undefined)?.ID ?? ''}
    }
  }

  if (lt('1.50')) {
    delete info.DiscoveredDevices
    extras.BridgeNfIptables = false
    extras.BridgeNfIp6tables = false
  }

  if (lt('1.53')) delete info.NRI
  if (Object.keys(extras).length === 0) return info
  const merged = {...info}
  appendFields(extras, merged)
  return sortKeysDeep(merged) as Record<string, unknown>
}
