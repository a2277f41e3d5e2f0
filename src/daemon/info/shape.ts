// Per-API-version shaping of /info (system_routes.go getInfo + compat.Wrap). It belongs to the API
// layer: src/api takes the unshaped info (buildUnshapedInfo) and the request's version.
import {versionLessThan} from '../../api/versions.js'
import {goKeyOrder} from './config.js'

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

