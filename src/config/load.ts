import {existsSync} from 'node:fs'

import {conflictName, fileKey, OBJECT_KINDS, type OptionTable} from '../options/table.js'
import {flagString, fromFile, fromFlag, isZero} from '../options/values.js'
import {formatGoValue} from '../opts/go.js'
import {normalizeHosts} from '../opts/hosts.js'
import {resolveLabelConflicts} from '../opts/labels.js'
import {maskSensitive, validateHostGatewayIPs} from '../opts/validators.js'
import {defaultPaths} from '../platform/paths.js'
import {ConfigFileError, readConfigFile} from './file.js'
import type {Position} from './json.js'
import {suggest} from './suggest.js'
import type {DaemonConfig, LoadInput, LoadResult, Problem} from './types.js'
import {validateMinAPIVersion} from './api-version.js'

interface FlatValue {
  /** The object it was nested in ('' at top level). */
  parent: string
  path: string
  value: unknown
}

/**
 * Loads the configuration as dockerd does (§4): flags → file → unknown keys → conflicts → merge →
 * validation, but collects every problem instead of stopping at the first.
 */
export function loadConfig(input: LoadInput): LoadResult {
  const {defaults, flags, table} = input
  const problems: Problem[] = []

  // 1. The flag side: defaults, overlaid with what was given.
  const flagSide: Record<string, unknown> = {}
  const explicit = new Set<string>()
  for (const entry of table.entries) {
    const raw = flags[entry.name]
    if (raw !== undefined && !entry.fileOnly) {
      try {
        flagSide[entry.name] = fromFlag(entry, raw)
        explicit.add(entry.name)
        continue
      } catch (error) {
        problems.push({file: '', hints: [], kind: 'flag', message: (error as Error).message})
        continue
      }
    }

    flagSide[entry.name] = entry.default?.(defaults)
  }

  resolveAliases(table, flagSide, explicit, problems)
  if (problems.length > 0) return {problems}

  // 2. The file.
  const path = input.configFile
  let file
  try {
    file = path ? readConfigFile(path, input.configFileExplicit) : undefined
  } catch (error) {
    const position = error instanceof ConfigFileError ? error.position : undefined
    return {problems: [{file: path, hints: position ? [where(path, position, 'here')] : [], kind: 'file', message: (error as Error).message, position}]}
  }

  const flat = file ? flatten(table, file.value) : new Map<string, FlatValue>()
  const at = (key: string) => file?.keys.get(flat.get(key)?.path ?? key)

  // 3. Unknown directives, all of them, sorted, each with where and a suggestion.
  const known = table.knownKeys()
  known.add('host-gateway-ip') // the legacy single-IP key, migrated below
  const unknown = [...flat.keys()].filter((k) => !known.has(k)).sort()
  if (unknown.length > 0) {
    problems.push({
      file: path,
      hints: unknown.map((k) => {
        const guess = suggest(k, known)
        const pos = at(k)
        const text = guess ? `unknown directive "${k}": did you mean "${guess}"?` : `unknown directive "${k}"`
        return pos ? where(path, pos, text) : text
      }),
      kind: 'file',
      message: `the following directives don't match any configuration option: ${unknown.join(', ')}`,
    })
  }

  // 4. Conflicts: any option given both ways, whatever the values (§4.3).
  const conflicts: string[] = []
  const conflictHints: string[] = []
  for (const entry of [...table.entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const key = fileKey(entry)
    if (!key || !explicit.has(entry.name) || entry.kind === 'runtimes') continue
    const found = flat.get(key)
    if (!found || (entry.parent ?? '') !== found.parent) continue
    const mask = (text: string) => maskSensitive(entry, text)
    conflicts.push(
      `${conflictName(entry)}: (from flag: ${mask(flagString(entry, flagSide[entry.name]))}, from file: ${mask(formatGoValue(found.value))})`,
    )
    const pos = at(key)
    if (pos) conflictHints.push(where(path, pos, `"${key}" is also given on the command line as ${entry.char ? `-${entry.char}/` : ''}--${entry.name}`))
    if (key === 'hosts' && (flagSide.host as string[]).some((h) => h.startsWith('fd://'))) {
      conflictHints.push(
        'hint: -H fd:// usually comes from the systemd unit (socket activation); remove "hosts" from the file, or override ExecStart in a drop-in so the unit no longer passes -H',
      )
    }
  }

  const legacyGateway = flat.get('host-gateway-ip')
  if (legacyGateway && flat.has('host-gateway-ips')) {
    problems.push({file: path, hints: [], kind: 'file', message: 'host-gateway-ip and host-gateway-ips must not both be specified in the config file'})
  }

  if (legacyGateway && explicit.has('host-gateway-ip')) {
    conflicts.push(`host-gateway-ip: (from flag: ${flagString(table.get('host-gateway-ip'), flagSide['host-gateway-ip'])}, from file: ${formatGoValue(legacyGateway.value)})`)
  }

  if (conflicts.length > 0) {
    problems.push({
      file: path,
      hints: conflictHints,
      kind: 'file',
      message: `the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`,
    })
  }

  // 5. The file side, type-checked.
  const fileSide: Record<string, unknown> = {}
  const fileKeys = new Set<string>()
  for (const [key, {parent, value}] of flat) {
    const entry = table.byKey.get(key)
    if (!entry || entry.ignored || fileKey(entry) !== key || (entry.parent ?? '') !== parent) continue
    fileKeys.add(entry.name)
    try {
      fileSide[entry.name] = fromFile(entry, key, value)
    } catch (error) {
      // FileTypeError (wrong JSON type) or a value parser's message (`invalid size: …`).
      const pos = at(key)
      problems.push({file: path, hints: pos ? [where(path, pos, `"${key}"`)] : [], kind: 'file', message: (error as Error).message, position: pos})
    }
  }

  if (legacyGateway && !flat.has('host-gateway-ips')) {
    if (typeof legacyGateway.value === 'string') {
      fileSide['host-gateway-ip'] = [legacyGateway.value]
      fileKeys.add('host-gateway-ip')
    } else if (legacyGateway.value !== null) {
      problems.push({file: path, hints: [], kind: 'file', message: `json: cannot unmarshal ${typeof legacyGateway.value} into Go struct field Config.host-gateway-ip of type netip.Addr`})
    }
  }

  if (problems.length > 0) return {problems}

  // 6. Merge: the file is the base, its zero values filled from the flag side (§4.5).
  const values: Record<string, unknown> = {}
  for (const entry of table.entries) {
    const fromFileValue = fileSide[entry.name]
    const keepFileValue =
      fileKeys.has(entry.name) && fromFileValue !== undefined && (entry.kind === 'bool' || entry.name === 'default-stop-timeout' || !isZero(fromFileValue))
    values[entry.name] = keepFileValue ? fromFileValue : flagSide[entry.name]
  }

  if (values.graph && !explicit.has('data-root') && !fileKeys.has('data-root')) values['data-root'] = values.graph

  // 7. Validation of the merged configuration (§4.6).
  const merged: string[] = []
  for (const entry of table.entries) {
    const value = values[entry.name]
    if (!entry.validate || value === undefined || value === null) continue
    const result = entry.validate(value as never, {platform: defaults.platform})
    for (const message of [result ?? []].flat()) if (message) merged.push(message)
  }

  const features = (values.feature ?? {}) as Record<string, boolean>
  if (features['embedded-containerd'] && values['cri-containerd']) {
    merged.push('conflicting options: cannot use the "embedded-containerd" feature and CRI support (--cri-containerd) at the same time')
  }

  const gateway = (values['host-gateway-ip'] ?? []) as string[]
  try {
    validateHostGatewayIPs(gateway)
  } catch (error) {
    merged.push((error as Error).message)
  }

  if (typeof values['min-api-version'] === 'string' && values['min-api-version']) {
    const m = validateMinAPIVersion(values['min-api-version'] as string)
    if (m) merged.push(`invalid min-api-version: ${m}`)
  }

  const envMin = defaults.env.DOCKER_MIN_API_VERSION
  if (envMin !== undefined) {
    const m = validateMinAPIVersion(envMin)
    if (m) merged.push(`invalid DOCKER_MIN_API_VERSION: ${m}`)
  }

  for (const message of merged) problems.push({file: file ? path : '', hints: [], kind: file ? 'merged' : 'plain', message})
  if (problems.length > 0) return {problems}

  // 8. Normalisation after validation: labels, TLS, hosts (§4.6 end, §6.3, §6.6).
  try {
    values.label = resolveLabelConflicts((values.label ?? []) as string[])
  } catch (error) {
    problems.push({file: '', hints: [], kind: 'plain', message: (error as Error).message})
  }

  const tls = tlsSettings(values, explicit, fileKeys)
  let hosts: string[] = []
  try {
    hosts = normalizeHosts((values.host ?? []) as string[], {defaultHost: defaultPaths(defaults).host, platform: defaults.platform, tls: tls.enabled})
  } catch (error) {
    problems.push({file: '', hints: [], kind: 'plain', message: (error as Error).message})
  }

  if (problems.length > 0) return {problems}
  const config: DaemonConfig = {configFile: file ? path : '', explicit, fileKeys, hosts, tls, values}
  return {config, problems: []}
}

/** `-g/--graph` feeds `--data-root`; giving both is ambiguous. */
function resolveAliases(table: OptionTable, flagSide: Record<string, unknown>, explicit: Set<string>, problems: Problem[]): void {
  for (const entry of table.entries) {
    if (!entry.aliasOf || !explicit.has(entry.name)) continue
    if (explicit.has(entry.aliasOf)) {
      problems.push({file: '', hints: [], kind: 'plain', message: `cannot specify both --${entry.name} and --${entry.aliasOf}`})
      continue
    }

    flagSide[entry.aliasOf] = flagSide[entry.name]
    explicit.add(entry.aliasOf)
    explicit.delete(entry.name)
  }
}

/** Flattens one level like dockerd (§4.2), except object-valued options; remembers the nesting. */
function flatten(table: OptionTable, data: Record<string, unknown>): Map<string, FlatValue> {
  const flat = new Map<string, FlatValue>()
  for (const [key, value] of Object.entries(data)) {
    const entry = table.byKey.get(key)
    const keepWhole = entry !== undefined && OBJECT_KINDS.has(entry.kind)
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !keepWhole) {
      for (const [child, v] of Object.entries(value)) flat.set(child, {parent: key, path: `${key}/${child}`, value: v})
    } else {
      flat.set(key, {parent: '', path: key, value})
    }
  }

  return flat
}

/** §6.6: giving tlsverify at all (flag or key) turns TLS on; --tls alone implies verification. */
function tlsSettings(values: Record<string, unknown>, explicit: ReadonlySet<string>, fileKeys: ReadonlySet<string>): DaemonConfig['tls'] {
  const verifyGiven = explicit.has('tlsverify') || fileKeys.has('tlsverify')
  const tlsGiven = explicit.has('tls') || fileKeys.has('tls')
  const verify = verifyGiven ? Boolean(values.tlsverify) : Boolean(values.tls)
  const enabled = Boolean(values.tls) || verifyGiven
  const keepDefault = (name: string) => {
    const p = String(values[name] ?? '')
    return explicit.has(name) || fileKeys.has(name) || existsSync(p) ? p : ''
  }

  return {
    ca: String(values.tlscacert ?? ''),
    cert: keepDefault('tlscert'),
    enabled,
    explicit: tlsGiven || verifyGiven,
    key: keepDefault('tlskey'),
    verify: enabled && verify,
  }
}

function where(path: string, pos: Position, text: string): string {
  return `${path}:${pos.line}:${pos.column}: ${text}`
}

