// The `/info` body per requested API version (moby's system_routes.go getInfo + compat.Wrap): the
// daemon builds one full, current-version object (its own fields, its plugins', the engine's); the
// API layer shapes it here, once, for the version the client asked for.
import {compareGoStrings} from '../opts/go.js'
import {versionLessThan} from './versions.js'

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
 * The `/info` body for `apiVersion`, from the full object (left unchanged). At 1.53 and up the
 * object as it is; below: < 1.53 no `NRI`; < 1.50 `BridgeNfIptables/BridgeNfIp6tables: false`, no
 * `DiscoveredDevices`; < 1.49 no `FirewallBackend`, commits gain `Expected`; < 1.47
 * `RegistryConfig` gains `AllowNondistributableArtifactsCIDRs/Hostnames: null`; < 1.46 no
 * `Containerd`; < 1.44 runtimes lose `status`. When fields are added moby round-trips the body
 * through a map, so keys come out sorted at every depth. Shaping a shaped body changes nothing.
 */
export function shapeInfo(info: Readonly<Record<string, unknown>>, apiVersion: string): Record<string, unknown> {
  const lt = (x: string) => versionLessThan(apiVersion, x)
  if (!lt('1.53')) return info as Record<string, unknown>
  const out: Record<string, unknown> = {...info}
  const extras: Record<string, unknown> = {}
  if (lt('1.44') && isPlainObject(out.Runtimes)) {
    const rts: Record<string, unknown> = {}
    for (const [name, rt] of Object.entries(out.Runtimes)) {
      const {status: _status, ...rest} = rt as Record<string, unknown>
      rts[name] = rest
    }

    out.Runtimes = rts
  }

  if (lt('1.46')) delete out.Containerd
  if (lt('1.47')) extras.RegistryConfig = {AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null}
  if (lt('1.49')) {
    delete out.FirewallBackend
    for (const k of ['ContainerdCommit', 'RuncCommit', 'InitCommit']) {
      extras[k] = {Expected: (out[k] as {ID?: string} | undefined)?.ID ?? ''}
    }
  }

  if (lt('1.50')) {
    delete out.DiscoveredDevices
    extras.BridgeNfIptables = false
    extras.BridgeNfIp6tables = false
  }

  delete out.NRI
  if (Object.keys(extras).length === 0) return out
  appendFields(extras, out)
  return sortKeysDeep(out) as Record<string, unknown>
}
