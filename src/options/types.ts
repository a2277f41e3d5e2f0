import type {TargetPlatform} from '../platform/target.js'

/**
 * The kind of an option's value: the name of a registered `ValueKind`. dockerd's own kinds are
 * listed; a plugin may name a kind that one of its flag sets registers (`FlagSet.kinds`).
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
  | (string & {}) // a kind registered by a plugin's flag set

/** What a kind's `fromFlag` gets besides the items. */
export interface FlagContext {
  /** The option's own `parseValue` applied to one item (the item itself when it has none), errors in pflag's words. */
  check: (item: string) => unknown
  /** `fn(item)`, its error reported as pflag's `invalid argument "<item>" for "<flag>" flag: <reason>`. */
  one: (item: string, fn: (item: string) => unknown) => unknown
  spec: OptionSpec
}

/** What a kind's `fromFile` gets besides the JSON value. */
export interface FileContext {
  /** The Go type named in encoding/json's errors (the kind's `goType`). */
  goType: string
  /** The daemon.json key, as encoding/json names the field. */
  key: string
  /** A number's literal text in the file (sub: '' for the value itself, `nofile/Hard` inside it). */
  numberText: (sub: string) => string | undefined
  spec: OptionSpec
}

/**
 * One kind of option value, everything about it in one object: the flag parser, the file's JSON
 * accepted with encoding/json's errors, the merge's zero, the string form in conflict messages,
 * the JSON Schema fragment and the help word. Registered in the option table; a plugin adds its
 * own through `FlagSet.kinds`.
 */
export interface ValueKind {
  name: string
  /** One line for the docs: how the value is written. */
  description: string
  /** How the command line takes it: a switch, one value (the last wins) or repeated values. */
  flag: 'boolean' | 'multiple' | 'single'
  /** Command-line values to the config value; a boolean kind gets ['true'|'false']. Throw via `ctx.one` for pflag's message. */
  fromFlag: (items: readonly string[], ctx: FlagContext) => unknown
  /** A daemon.json value (never null) to the config value; throws with encoding/json's words (`typeError`). */
  fromFile: (value: unknown, ctx: FileContext) => unknown
  /** Go's type name in "cannot unmarshal X into Go struct field Config.key of type T". */
  goType: string
  /** JSON Schema of a valid value (draft-07); the table adds description, enum and null. */
  schema: Readonly<Record<string, unknown>>
  /** pflag's type word in help and docs ('' for a switch). */
  typeWord: string
  /** A daemon.json object kept whole, not flattened into top-level keys (§4.2). */
  object?: boolean
  /** The file's zero value is kept over the flag side (bool: `false` in the file wins). */
  keepZero?: boolean
  /** Checked for flag/file conflicts (default true; dockerd skips runtimes). */
  conflicts?: boolean
  /** pflag's Value.String() of a flag value in conflict messages; default Go's %v. */
  flagString?: (value: unknown) => string
  /** The merge's zero test; default dockerd's (unset, false, 0, '', [], {}). */
  isZero?: (value: unknown) => boolean
}

/** How SIGHUP treats an option: applied when the file states it, reset to its flag/default value when the file drops it, or logged as needing a restart. */
export type ReloadMode = 'apply' | 'reset' | 'restart'

/** A problem found by a cross-option check, in dockerd's words. */
export type CheckResult = string | readonly string[] | undefined

/** A check of several options together, run on the merged values (`values` by option name). */
export type OptionCheck = (values: Readonly<Record<string, unknown>>, ctx: ValidateContext) => CheckResult

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
  /** SIGHUP behaviour (default 'restart'); see ReloadMode. */
  reload?: ReloadMode
  /** Shorthand for `reload: 'apply'`, as plugins declared it before `reload` existed. */
  reloadable?: boolean
  /** A zero value in the file is kept over the flag side (`default-stop-timeout: 0`), as for booleans. */
  keepZero?: boolean
  /** Earlier daemon.json spellings of this option's key, migrated when the current key is absent. */
  migratedKeys?: readonly MigratedKey[]
  /** Accepted as a key but ignored (legacy keys dockerd tolerates). */
  ignored?: boolean
  /** Validates (and normalises) one command-line value: throws with dockerd's reason. */
  parseValue?: (raw: string) => unknown
  /** Config-time check of the merged value; returns dockerd's error text or undefined. */
  validate?: (value: never, ctx: ValidateContext) => string | string[] | undefined
  /**
   * Allowed values: THE rule for help, validation and the JSON Schema (a string option's "" means
   * unset and is always allowed). No `validate` repeating it: `enumError` words the refusal.
   */
  enum?: readonly string[]
  /** The enum's values are matched without regard to case (log-level, as logrus parses it). */
  enumCase?: 'insensitive'
  /** dockerd's message for a value outside the enum; default `invalid <name>: "<v>" (valid values: …)`. */
  enumError?: (value: string) => string
  /** A URL whose credentials (`user:password@`) are masked wherever the value is printed or logged. */
  sensitive?: 'url-credentials'
}

/** A group of options contributed by a platform or a plugin, shown as one help section. */
export interface FlagSet {
  id: string
  helpGroup: string
  options: readonly OptionSpec[]
  /** Value kinds this set registers (for its options and the sets added after it). */
  kinds?: readonly ValueKind[]
  /** Checks of several options together, run after each option's own rule passed. */
  checks?: readonly OptionCheck[]
  platforms?: readonly TargetPlatform[]
  /** Owner shown in collision errors (the plugin name; "dockerd" for built-ins). */
  owner?: string
}

/** An earlier daemon.json key of an option (`host-gateway-ip`, one address, for `host-gateway-ips`). */
export interface MigratedKey {
  key: string
  /** The old key's value (never null) to the option's config value; throws encoding/json's error. */
  convert: (value: unknown) => unknown
  /** The error when the file holds both the old and the current key. */
  both: string
}
