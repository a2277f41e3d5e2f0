// The /info fields derived from the configuration (moby's daemon/info.go, registry, CDI, runtimes),
// each parsed part computed once per configuration.
import type {DaemonConfig} from '../../config/types.js'
import {goKeyOrder} from '../../api/info-shape.js'
import {loadInsecureRegistry, validateExecOpt, validateGenericResources, validateMirror} from '../../opts/validators.js'
import type {HostFacts, Platform} from '../../platform/types.js'

export {goKeyOrder}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '')
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [])

export function execOpt(config: DaemonConfig, name: string, platform: Platform): string {
  let found = ''
  for (const raw of list(config.values['exec-opt'])) {
    try {
      const [k, v] = validateExecOpt(raw, platform.name)
      if (k === name) found = v
    } catch {
      // invalid entries never reach a running daemon
    }
  }

  return found
}

/** daemon_unix.go cgroupDriver(): systemd if asked (or the cgroup v2 + systemd default), none when rootless, else cgroupfs. */
export function cgroupDriver(config: DaemonConfig, platform: Platform, host: HostFacts): string {
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

export function proxyValue(configured: unknown, env: NodeJS.ProcessEnv, names: string[]): string {
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

export interface RuntimeEntry {
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
export function apiWarnings(listeners: ReadonlyArray<{host: string; tls: boolean; verify: boolean}>): string[] {
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

export function securityOptions(config: DaemonConfig, platform: Platform, host: HostFacts, warnings: string[]): string[] | null {
  if (!platform.linuxKernel) return null
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

export function firewallBackend(config: DaemonConfig, platform: Platform): Record<string, unknown> | undefined {
  if (!platform.linuxKernel) return undefined
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


function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const x of Object.values(v)) deepFreeze(x)
  }

  return v
}

export interface Derived {
  cdiSpecDirs: readonly string[]
  genericResources: readonly unknown[] | null
  registryConfig: Readonly<Record<string, unknown>>
  runtimes: Readonly<Record<string, RuntimeEntry>>
}

/** The parsed parts of a configuration, computed once per (immutable) DaemonConfig and frozen. */
const derivedCache = new WeakMap<DaemonConfig, Derived>()

export function configDerived(config: DaemonConfig): Derived {
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
