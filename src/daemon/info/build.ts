// GET /info (§7.4): moby's system.Info as this daemon can truthfully fill it. The host facts come
// from the platform object (src/platform), the live readings from ./live.ts, the configuration's
// fields from ./config.ts; the per-API-version shaping is ./shape.ts (the API layer's job).
//
// What this daemon is: an API endpoint that runs no containers, pulls no images and starts no
// containerd, network controller, NRI or plugins. Fields about such machinery carry the zero value
// moby itself reports when the part is absent (e.g. `N/A` commits, no `NRI`), fields about the host
// are read from the host, and fields about the configuration echo the configuration.
import os from 'node:os'

import type {DaemonConfig} from '../../config/types.js'
import type {AddressPool} from '../../opts/maps.js'
import {maskURLCredentials} from '../../opts/validators.js'
import {hostFacts, platformOf} from '../../platform/platform.js'
import type {TargetPlatform} from '../../platform/target.js'
import type {HostFacts, Platform} from '../../platform/types.js'
import {apiWarnings, cgroupDriver, configDerived, execOpt, firewallBackend, list, proxyValue, securityOptions, str} from './config.js'
import {activeTaskCount, safeHostname, systemTime, volatileFacts} from './live.js'

export type {HostFacts} from '../../platform/types.js'

export interface InfoInputs {
  config: DaemonConfig
  engineID: string
  serverVersion: string
  gitCommit: string
  /** The target OS (its object or name). */
  platform: Platform | TargetPlatform
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

/** The storage driver reported when none is configured: this daemon stores no layers. */
export const NO_STORAGE_DRIVER = 'none'

/**
 * The `/info` body field for field in system.Info order, for the current API version: what the
 * API layer shapes for older versions (src/api/info-shape.ts).
 */
export function buildUnshapedInfo(inputs: InfoInputs): Record<string, unknown> {
  const {config} = inputs
  const platform = platformOf(inputs.platform)
  const v = config.values
  const host: HostFacts = {...hostFacts(), ...inputs.host}
  const env = inputs.env ?? process.env
  const {unix} = platform
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
      Network: [...platform.networkDrivers],
      Authorization: Array.isArray(authz) ? authz.map(String) : null,
      Log: [...platform.logDrivers],
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
    OSType: platform.goos,
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
  return info
}

