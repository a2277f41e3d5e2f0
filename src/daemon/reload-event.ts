// The `daemon reload` event (§5.2): the attributes moby's Daemon.Reload attaches (daemon/reload.go,
// reload_unix.go), formatted as dockerd formats them, and the list of options a reload changes.

import type {DaemonConfig} from '../config/types.js'
import {goJSONString} from '../go/json.js'
import {compareGoStrings, formatGoValue} from '../opts/go.js'
import {validateInsecureRegistry, validateMirror} from '../opts/validators.js'
import {platformOf} from '../platform/platform.js'
import type {TargetPlatform} from '../platform/target.js'
import type {Platform} from '../platform/types.js'

export {goJSONString} from '../go/json.js'

export type ReloadPlatform = Platform | TargetPlatform

/** reload.go marshalAttributeSlice: `[]` for none, else the Go JSON array text. */
export function marshalAttributeSlice(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return '[]'
  return '[' + v.map((s) => goJSONString(String(s))).join(',') + ']'
}

const int = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : typeof v === 'bigint' ? v.toString() : '0')
const bool = (v: unknown): string => (v ? 'true' : 'false')
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** `runtimes`: `name:path` of the configured (user) runtimes, space-separated, sorted by name ('' if none). */
export function formatRuntimesAttribute(runtimes: unknown): string {
  if (typeof runtimes !== 'object' || runtimes === null) return ''
  const rts = runtimes as Record<string, {path?: unknown}>
  return Object.keys(rts)
    .sort(compareGoStrings)
    .map((name) => `${name}:${str(rts[name]?.path)}`)
    .join(' ')
}

/** fmt.Sprint(opts.NRIOpts): `{<enable> <plugin-path> <plugin-config-path> <socket-path>}`. */
export function formatNriAttribute(nri: unknown): string {
  const o = (typeof nri === 'object' && nri !== null ? nri : {}) as Record<string, unknown>
  return `{${bool(o.enable)} ${str(o['plugin-path'])} ${str(o['plugin-config-path'])} ${str(o['socket-path'])}}`
}

/**
 * A list option as dockerd holds it: command-line values went through the flag's validator, which
 * normalises them (`https://m` → `https://m/`, `index.docker.io` → `docker.io`); file values are
 * kept as written.
 */
function asStored(config: DaemonConfig, name: string, normalise: (s: string) => string): unknown {
  const raw = config.values[name]
  if (!Array.isArray(raw) || !config.explicit.has(name) || config.fileKeys.has(name)) return raw
  return raw.map((item) => {
    try {
      return normalise(String(item))
    } catch {
      return String(item)
    }
  })
}

/**
 * The attributes of the `daemon reload` event for the configuration in effect after the reload:
 * reloadPlatform (Unix: runtimes, default-runtime, default-shm-size, default-ipc-mode,
 * default-cgroupns-mode), debug, max-concurrent-downloads/uploads, max-download-attempts,
 * shutdown-timeout, default-stop-timeout, features, labels, insecure-registries,
 * registry-mirrors, live-restore, nri-opts (moby always initialises its NRI object), and `name` =
 * the host name when known. Keys are inserted sorted (the order docker events prints them).
 */
export function reloadAttributes(config: DaemonConfig, hostName: string, platform: ReloadPlatform): Record<string, string> {
  const v = config.values
  const attrs: Record<string, string> = {}
  if (platformOf(platform).unix) {
    attrs.runtimes = formatRuntimesAttribute(v['add-runtime'])
    attrs['default-runtime'] = str(v['default-runtime'])
    attrs['default-shm-size'] = int(v['default-shm-size'])
    attrs['default-ipc-mode'] = str(v['default-ipc-mode'])
    attrs['default-cgroupns-mode'] = str(v['default-cgroupns-mode'])
  }

  attrs.debug = bool(v.debug)
  attrs['max-concurrent-downloads'] = int(v['max-concurrent-downloads'])
  attrs['max-concurrent-uploads'] = int(v['max-concurrent-uploads'])
  attrs['max-download-attempts'] = int(v['max-download-attempts'])
  attrs['shutdown-timeout'] = int(v['shutdown-timeout'])
  attrs['default-stop-timeout'] = int(v['default-stop-timeout'])
  attrs.features = formatGoValue(new Map(Object.entries((v.feature ?? {}) as Record<string, boolean>)))
  attrs.labels = marshalAttributeSlice(v.label)
  attrs['insecure-registries'] = marshalAttributeSlice(asStored(config, 'insecure-registry', validateInsecureRegistry))
  attrs['registry-mirrors'] = marshalAttributeSlice(asStored(config, 'registry-mirror', validateMirror))
  attrs['live-restore'] = bool(v['live-restore'])
  attrs['nri-opts'] = formatNriAttribute(v['nri-opts'])
  if (hostName !== '') attrs.name = hostName
  const sorted: Record<string, string> = {}
  for (const k of Object.keys(attrs).sort(compareGoStrings)) sorted[k] = attrs[k]
  return sorted
}

