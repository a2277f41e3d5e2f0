import {defaultSuffix} from '../help-layout.js'
import {isMultiple} from '../options/argv.js'
import {optionTable} from '../options/index.js'
import {fileKey, typeWord, type TableEntry} from '../options/table.js'
import {defaultPaths, defaultsContext, type DefaultPaths} from '../platform/paths.js'
import {platformOf} from '../platform/platform.js'
import type {TargetPlatform} from '../platform/target.js'

/** One documented option, every field already a display string. */
export interface DocOption {
  char?: string
  /** The default as `--help` prints it (`"/var/lib/docker"`, `10`, `map[]`), or undefined. */
  default?: string
  deprecated?: string
  description: string
  /** Accepted and ignored (legacy keys). */
  ignored: boolean
  /** The daemon.json key (`proxies.http-proxy` for nested ones); undefined for CLI-only flags. */
  key?: string
  /** Repeatable (list and map kinds). */
  multiple: boolean
  name: string
  reloadable: boolean
  /** pflag's value type word (`string`, `list`, `int`); '' for booleans. */
  type: string
}

export interface DocGroup {
  options: DocOption[]
  /** `COMMON`, `DAEMON`, `LINUX`, … as help prints them (followed by ` FLAGS`). */
  title: string
}

export interface DocModel {
  bin: string
  description: string
  /** Options that exist only as daemon.json keys. */
  fileOnly: DocOption[]
  groups: DocGroup[]
  /** Readable OS name: Linux, Windows, FreeBSD. */
  osName: string
  /** The system paths (root, not rootless) of the target OS. */
  paths: DefaultPaths
  platform: TargetPlatform
  usage: string
  version: string
}

export interface ModelInput {
  bin: string
  /** The command's description and usage, as the oclif manifest has them. */
  description: string
  /** Environment the defaults are computed in: the docs use a fixed one (root, neutral HOME). */
  env: NodeJS.ProcessEnv
  platform: TargetPlatform
  usage: string
  version: string
}

/**
 * Defaults that depend on the machine computing them (files probed at start-up), stated as the rule
 * instead of one machine's answer, so the docs are the same wherever they are generated.
 */
export const MACHINE_DEPENDENT_DEFAULTS: Readonly<Record<string, string>> = {
  'default-cgroupns-mode': '"private" (cgroup v2), "host" (cgroup v1)',
  'userland-proxy-path': 'docker-proxy from /usr/local/libexec/docker, /usr/libexec/docker, /usr/local/lib/docker, /usr/lib/docker, /usr/local/libexec, /usr/libexec or PATH; "" when absent',
}

const byName = (a: {name: string}, b: {name: string}) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

function docOption(entry: TableEntry, value: unknown): DocOption {
  const machine = MACHINE_DEPENDENT_DEFAULTS[entry.name]
  const suffix = defaultSuffix(entry, value)
  const key = fileKey(entry)
  return {
    char: entry.char,
    default: machine ?? (suffix ? suffix.replace(/^ \(default /, '').replace(/\)$/, '') : undefined),
    deprecated: entry.deprecated,
    description: entry.description,
    ignored: entry.ignored ?? false,
    key: key === undefined ? undefined : entry.parent ? `${entry.parent}.${key}` : key,
    multiple: isMultiple(entry),
    name: entry.name,
    reloadable: entry.reloadable ?? false,
    type: typeWord(entry),
  }
}

/**
 * What the docs of one target OS say, from the option table (built-ins and built-in plugins; no
 * installed plugins) with defaults computed in `env`. Groups in the help's order, options by name
 * within a group (as pflag lists them), hidden options left out.
 */
export function docModel(input: ModelInput): DocModel {
  const {env, platform} = input
  const ctx = defaultsContext(platform, env)
  const table = optionTable(platform, [])
  const groups: DocGroup[] = table.groups.map((title) => ({options: [], title}))
  const fileOnly: DocOption[] = []
  for (const entry of table.entries) {
    if (entry.hidden) continue
    const option = docOption(entry, entry.default?.(ctx))
    if (entry.fileOnly) fileOnly.push(option)
    else groups.find((g) => g.title === entry.group)!.options.push(option)
  }

  for (const g of groups) g.options.sort(byName)
  fileOnly.sort(byName)
  return {
    bin: input.bin,
    description: input.description,
    fileOnly,
    groups: groups.filter((g) => g.options.length > 0),
    osName: platformOf(platform).title,
    paths: defaultPaths({...ctx, rootless: false}),
    platform,
    usage: input.usage,
    version: input.version,
  }
}
