import {existsSync} from 'node:fs'

import {kindIsZero} from '../options/kinds.js'
import {optionProblems} from '../options/rules.js'
import {maskSensitive} from '../options/sensitive.js'
import {conflictName, fileKey, type OptionTable} from '../options/table.js'
import {flagString, fromFile, fromFlag} from '../options/values.js'
import {formatGoValue} from '../opts/go.js'
import {normalizeHosts} from '../opts/hosts.js'
import {resolveLabelConflicts} from '../opts/labels.js'
import {defaultPaths} from '../platform/paths.js'
import {ConfigFileError, readConfigFile} from './file.js'
import type {Position} from './json.js'
import {suggest} from './suggest.js'
import type {ConfigValues, DaemonConfig, LoadInput, LoadResult, Problem} from './types.js'
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
  // An empty or absent file (most starts) has no key to check.
  const known = flat.size > 0 ? table.knownKeys() : new Set<string>()
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
    if (!key || !explicit.has(entry.name) || entry.valueKind.conflicts === false) continue
    const found = flat.get(key)
    if (!found || (entry.parent ?? '') !== found.parent) continue
    const mask = (text: string) => maskSensitive(entry, text)
    conflicts.push(
      `${conflictName(entry)}: (from flag: ${mask(flagString(entry, flagSide[entry.name]))}, from file: ${mask(formatGoValue(found.value))})`,
    )
    const pos = at(key)
    if (pos) conflictHints.push(where(path, pos, `"${key}" is also given on the command line as ${entry.char ? `-${entry.char}/` : ''}--${entry.name}`))
    const hint = entry.conflictHint?.(flagSide[entry.name] as never)
    if (hint) conflictHints.push(hint)
  }

  // Earlier spellings of a key (`host-gateway-ip`): refused beside the current one, conflicting with the flag.
  const migrations = table.entries.flatMap((entry) => (entry.migratedKeys ?? []).map((migrated) => ({entry, found: flat.get(migrated.key), migrated})))
  for (const {entry, found, migrated} of migrations) {
    if (!found) continue
    const key = fileKey(entry)
    if (key && flat.has(key)) problems.push({file: path, hints: [], kind: 'file', message: migrated.both})
    if (explicit.has(entry.name)) {
      conflicts.push(`${migrated.key}: (from flag: ${flagString(entry, flagSide[entry.name])}, from file: ${formatGoValue(found.value)})`)
    }
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
  for (const [key, {parent, path: jsonPath, value}] of flat) {
    const entry = table.byKey.get(key)
    if (!entry || fileKey(entry) !== key || (entry.parent ?? '') !== parent) continue
    try {
      // Ignored (deprecated) keys are still fields of dockerd's Config: their JSON type is checked.
      const converted = fromFile(entry, key, value, (sub) => file?.numbers.get(sub ? `${jsonPath}/${sub}` : jsonPath))
      if (entry.ignored) continue
      fileKeys.add(entry.name)
      fileSide[entry.name] = converted
    } catch (error) {
      // FileTypeError (wrong JSON type) or a value parser's message (`invalid size: …`).
      const pos = at(key)
      problems.push({file: path, hints: pos ? [where(path, pos, `"${key}"`)] : [], kind: 'file', message: (error as Error).message, position: pos})
    }
  }

  for (const {entry, found, migrated} of migrations) {
    const key = fileKey(entry)
    if (!found || (key && flat.has(key)) || found.value === null) continue
    try {
      fileSide[entry.name] = migrated.convert(found.value)
      fileKeys.add(entry.name)
    } catch (error) {
      problems.push({file: path, hints: [], kind: 'file', message: (error as Error).message})
    }
  }

  if (problems.length > 0) return {problems}

  // 6. Merge: the file is the base, its zero values filled from the flag side (§4.5).
  const values: Record<string, unknown> = {}
  for (const entry of table.entries) {
    const fromFileValue = fileSide[entry.name]
    const keepZero = entry.valueKind.keepZero || entry.keepZero
    const keepFileValue = fileKeys.has(entry.name) && fromFileValue !== undefined && (keepZero || !kindIsZero(entry.valueKind, fromFileValue))
    values[entry.name] = keepFileValue ? fromFileValue : flagSide[entry.name]
  }

  // A deprecated spelling's value (`graph`) feeds its option unless that is given itself.
  for (const entry of table.entries) {
    const target = entry.aliasOf
    if (target && values[entry.name] && !explicit.has(target) && !fileKeys.has(target)) values[target] = values[entry.name]
  }

  // 7. Validation of the merged configuration (§4.6).
  const merged: string[] = []
  const mergedHints = new Map<string, {hints: string[]; position?: Position}>()
  const ctx = {platform: defaults.platform}
  for (const entry of table.entries) {
    const value = values[entry.name]
    const messages = optionProblems(entry, value, ctx)
    if (messages.length === 0) continue
    // Where the value came from, when it is the file's: like every other daemon.json problem.
    const key = fileKey(entry)
    const position = key && fileKeys.has(entry.name) && value === fileSide[entry.name] ? at(key) : undefined
    const hints = position ? [where(path, position, `"${key}"`)] : []
    if (entry.enum) hints.push(`valid values: ${entry.enum.map((v) => JSON.stringify(v)).join(', ')}`)
    for (const message of messages) {
      merged.push(message)
      mergedHints.set(message, {hints, position})
    }
  }

  // Checks of several options together, declared by the flag sets.
  for (const {check} of table.checks) merged.push(...[check(values, ctx) ?? []].flat().filter(Boolean))

  const envMin = defaults.env.DOCKER_MIN_API_VERSION
  if (envMin !== undefined) {
    const m = validateMinAPIVersion(envMin)
    if (m) merged.push(`invalid DOCKER_MIN_API_VERSION: ${m}`)
  }

  for (const message of merged) problems.push({file: file ? path : '', hints: [], kind: file ? 'merged' : 'plain', message, ...mergedHints.get(message)})
  if (problems.length > 0) return {problems}

  // 8. Normalisation after validation: labels, TLS, hosts (§4.6 end, §6.3, §6.6).
  try {
    values.label = resolveLabelConflicts((values.label ?? []) as string[])
  } catch (error) {
    problems.push({file: '', hints: [], kind: 'plain', message: (error as Error).message})
  }

  const typed = values as ConfigValues
  const tls = tlsSettings(typed, explicit, fileKeys)
  let hosts: string[] = []
  try {
    hosts = normalizeHosts(typed.host ?? [], {defaultHost: defaultPaths(defaults).host, platform: defaults.platform, tls: tls.enabled})
  } catch (error) {
    problems.push({file: '', hints: [], kind: 'plain', message: (error as Error).message})
  }

  if (problems.length > 0) return {problems}
  const config: DaemonConfig = {configFile: file ? path : '', explicit, fileKeys, hosts, tls, values: typed}
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
    const keepWhole = entry?.valueKind.object === true
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !keepWhole) {
      for (const [child, v] of Object.entries(value)) flat.set(child, {parent: key, path: `${key}/${child}`, value: v})
    } else {
      flat.set(key, {parent: '', path: key, value})
    }
  }

  return flat
}

/** §6.6: giving tlsverify at all (flag or key) turns TLS on; --tls alone implies verification. */
function tlsSettings(values: ConfigValues, explicit: ReadonlySet<string>, fileKeys: ReadonlySet<string>): DaemonConfig['tls'] {
  const verifyGiven = explicit.has('tlsverify') || fileKeys.has('tlsverify')
  const tlsGiven = explicit.has('tls') || fileKeys.has('tls')
  const verify = verifyGiven ? Boolean(values.tlsverify) : Boolean(values.tls)
  const enabled = Boolean(values.tls) || verifyGiven
  const missingDefaults: Record<string, string> = {}
  const keepDefault = (name: 'tlscert' | 'tlskey') => {
    const p = values[name] ?? ''
    if (explicit.has(name) || fileKeys.has(name) || existsSync(p)) return p
    if (p !== '') missingDefaults[name] = p
    return ''
  }

  const cert = keepDefault('tlscert')
  const key = keepDefault('tlskey')
  return {
    ca: values.tlscacert ?? '',
    cert,
    enabled,
    explicit: tlsGiven || verifyGiven,
    key,
    verify: enabled && verify,
    ...(Object.keys(missingDefaults).length > 0 ? {missingDefaults} : {}),
  }
}

function where(path: string, pos: Position, text: string): string {
  return `${path}:${pos.line}:${pos.column}: ${text}`
}

