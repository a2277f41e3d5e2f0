import type {TargetPlatform} from '../platform/target.js'

/**
 * How a value is written on the command line and in daemon.json. The kind decides the oclif flag
 * type, the JSON type accepted in the file, the "zero" used by the merge, the string forms used in
 * conflict messages and the help type word.
 */
export type OptionKind =
  | 'bool'
  | 'bytes' // "64M" on both sides, bytes in the config
  | 'features' // --feature name[=bool]; file: object of bools
  | 'int'
  | 'ip' // single IP address
  | 'list' // repeatable string flag; file: array of strings
  | 'map' // repeatable k=v flag; file: object of strings
  | 'mapmap' // repeatable driver=k=v; file: object of objects of strings
  | 'nri-opts'
  | 'object' // file-only free-form object (builder)
  | 'pools' // --default-address-pool base=..,size=..; file: array of {base,size}
  | 'runtimes' // --add-runtime name=path; file: object name -> {path, runtimeArgs, ...}
  | 'string'
  | 'ulimits' // --default-ulimit nofile=1:2; file: object name -> {Name, Hard, Soft}

/** Everything an option's default may depend on; defaults are functions of the target OS. */
export interface DefaultsContext {
  env: NodeJS.ProcessEnv
  /** true when the daemon runs without root (per-user paths, like rootless dockerd). */
  rootless: boolean
  platform: TargetPlatform
  /** The daemon's uid (default: the process's), for /run/user/<uid>. */
  uid?: number
}

export interface ValidateContext {
  platform: TargetPlatform
}

export interface OptionSpec {
  /** Long flag name, or the key of a file-only option. */
  name: string
  /** Shorthand letter. */
  char?: string
  /** daemon.json key; defaults to `name`. `null`: CLI only (accepted-and-ignored in the file, as dockerd does). */
  key?: null | string
  /** Parent object in daemon.json (`proxies` for http-proxy). The key is then only valid nested. */
  parent?: string
  kind: OptionKind
  description: string
  default?: (ctx: DefaultsContext) => unknown
  /** A deprecated spelling whose value feeds this other option (`graph` -> `data-root`). */
  aliasOf?: string
  /** Help text for the default when it is computed (`$HOME/.docker/ca.pem`). */
  defaultHelp?: string
  hidden?: boolean
  /** A deprecation notice printed on stdout when the flag is used (pflag's form). */
  deprecated?: string
  /** Not a flag: only a daemon.json key (`min-api-version`, `deprecated-key-path`). */
  fileOnly?: boolean
  /** Applied on SIGHUP without a restart. */
  reloadable?: boolean
  /** Accepted as a key but ignored (legacy keys dockerd tolerates). */
  ignored?: boolean
  /** Validates (and normalises) one command-line value: throws with dockerd's reason. */
  parseValue?: (raw: string) => unknown
  /** Config-time check of the merged value; returns dockerd's error text or undefined. */
  validate?: (value: never, ctx: ValidateContext) => string | string[] | undefined
  /** Allowed values, for help and the JSON Schema. */
  enum?: readonly string[]
  /** The enum's values are matched without regard to case (log-level, as logrus parses it). */
  enumCase?: 'insensitive'
  /** A URL whose credentials (`user:password@`) are masked wherever the value is printed or logged. */
  sensitive?: 'url-credentials'
}

/** A group of options contributed by a platform or a plugin, shown as one help section. */
export interface FlagSet {
  id: string
  helpGroup: string
  options: readonly OptionSpec[]
  platforms?: readonly TargetPlatform[]
  /** Owner shown in collision errors (the plugin name; "dockerd" for built-ins). */
  owner?: string
}
