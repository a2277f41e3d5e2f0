// `/info` of a daemon in front of an engine: the upstream's view of what it runs (counts,
// storage, runtimes, plugins, swarm) with this daemon's own settings (name, labels, debug,
// registry settings, proxies) and both sets of warnings.

/** Fields that describe what the engine runs: taken from the upstream when it answered. */
export const ENGINE_INFO_FIELDS: readonly string[] = [
  'Containers',
  'ContainersRunning',
  'ContainersPaused',
  'ContainersStopped',
  'Images',
  'Driver',
  'DriverStatus',
  'Plugins',
  'MemoryLimit',
  'SwapLimit',
  'KernelMemory',
  'KernelMemoryTCP',
  'CpuCfsPeriod',
  'CpuCfsQuota',
  'CPUShares',
  'CPUSet',
  'PidsLimit',
  'IPv4Forwarding',
  'BridgeNfIptables',
  'BridgeNfIp6tables',
  'OomKillDisable',
  'CgroupDriver',
  'CgroupVersion',
  'DockerRootDir',
  'Runtimes',
  'DefaultRuntime',
  'Swarm',
  'LiveRestoreEnabled',
  'Isolation',
  'InitBinary',
  'ContainerdCommit',
  'RuncCommit',
  'InitCommit',
  'SecurityOptions',
  'CDISpecDirs',
  'Containerd',
  'DiscoveredDevices',
  'FirewallBackend',
]

/** Text of the warning `/info` carries while the daemon has no engine. */
export const NO_ENGINE_WARNING =
  'WARNING: no engine configured: container, image, network, volume, exec and build requests answer 501; set --engine-host (or "engine-host" in daemon.json) to a Docker engine\'s address'

/**
 * Our `/info` with the upstream's engine fields (when it answered) and its warnings after ours.
 * `warning` is what the backend says about the upstream itself (unreachable, ...).
 */
export function mergeEngineInfo(ours: Record<string, unknown>, upstream: Record<string, unknown> | undefined, warning?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {...ours}
  const warnings = Array.isArray(ours.Warnings) ? [...(ours.Warnings as unknown[])] : []
  if (upstream && typeof upstream === 'object') {
    for (const field of ENGINE_INFO_FIELDS) if (Object.hasOwn(upstream, field)) out[field] = upstream[field]
    if (Array.isArray(upstream.Warnings)) for (const w of upstream.Warnings) if (typeof w === 'string' && !warnings.includes(w)) warnings.push(w)
  }

  if (warning) warnings.push(warning)
  // Go writes a nil slice as null; keep what ours had when there is nothing to add.
  out.Warnings = warnings.length > 0 || ours.Warnings !== null ? warnings : null
  return out
}
