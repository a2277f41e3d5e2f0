import {BUILTIN_KINDS, unknownKindProblem} from './kinds.js'
import type {FlagSet, OptionCheck, OptionSpec, ReloadMode, ValueKind} from './types.js'

/** An option as resolved into the table: the spec, its kind's object, and where it came from. */
export interface TableEntry extends OptionSpec {
  group: string
  owner: string
  /** SIGHUP behaviour, resolved (`reloadable: true` is 'apply'; unset is 'restart'). */
  reload: ReloadMode
  /** `reload` is not 'restart' (kept for readers of the older attribute). */
  reloadable: boolean
  setId: string
  valueKind: ValueKind
}

/** A flag set the table refuses: a collision, an unknown or twice-registered kind. */
export class OptionTableError extends Error {}

export class OptionCollisionError extends OptionTableError {}

/** The names of dockerd's own kinds (a plugin may register more). */
export const OPTION_KINDS: readonly string[] = BUILTIN_KINDS.map((k) => k.name)

/**
 * THE option table: every lookup the parser, config loader, help and docs need, derived from the
 * flag sets once. Collisions between sets (a plugin reusing a flag, key or shorthand) are refused
 * naming both owners.
 */
export class OptionTable {
  readonly byChar = new Map<string, TableEntry>()
  /** daemon.json key (top-level, or nested child for `parent` options) -> entry. */
  readonly byKey = new Map<string, TableEntry>()
  readonly byName = new Map<string, TableEntry>()
  readonly entries: TableEntry[] = []
  readonly groups: string[] = []
  /** The registry of value kinds: dockerd's own, then those the sets registered. */
  readonly kinds = new Map<string, ValueKind>(BUILTIN_KINDS.map((k) => [k.name, k]))
  /** Cross-option checks of every set, in table order, with the set's owner. */
  readonly checks: {check: OptionCheck; owner: string}[] = []

  constructor(sets: readonly FlagSet[]) {
    for (const set of sets) this.add(set)
  }

  /** Adds a set whole or not at all: a collision or an unknown kind leaves the table as it was. */
  add(set: FlagSet): void {
    const owner = set.owner ?? set.id
    const kinds = new Map(this.kinds)
    for (const kind of set.kinds ?? []) {
      if (kinds.has(kind.name)) throw new OptionTableError(`value kind "${kind.name}" of ${owner} is already registered`)
      kinds.set(kind.name, kind)
    }

    const entries: TableEntry[] = set.options.map((spec) => {
      const valueKind = kinds.get(spec.kind)
      if (!valueKind) throw new OptionTableError(`option --${spec.name} of ${owner}: ${unknownKindProblem(spec.kind, kinds.keys())}`)
      const reload = spec.reload ?? (spec.reloadable ? 'apply' : 'restart')
      return {...spec, group: set.helpGroup, owner, reload, reloadable: reload !== 'restart', setId: set.id, valueKind}
    })
    const local = {char: new Map<string, TableEntry>(), key: new Map<string, TableEntry>(), name: new Map<string, TableEntry>()}
    const check = (kind: keyof typeof local, global: Map<string, TableEntry>, id: string, entry: TableEntry, what: string) => {
      const other = global.get(id) ?? local[kind].get(id)
      if (other) throw new OptionCollisionError(`${what} of ${entry.owner} collides with ${other.owner}'s --${other.name}`)
      local[kind].set(id, entry)
    }

    for (const entry of entries) {
      check('name', this.byName, entry.name, entry, `option --${entry.name}`)
      if (entry.char) check('char', this.byChar, entry.char, entry, `shorthand -${entry.char}`)
      const key = fileKey(entry)
      if (key) check('key', this.byKey, key, entry, `daemon.json key "${key}"`)
    }

    for (const entry of entries) {
      this.byName.set(entry.name, entry)
      if (entry.char) this.byChar.set(entry.char, entry)
      const key = fileKey(entry)
      if (key) this.byKey.set(key, entry)
      this.entries.push(entry)
    }

    for (const [name, kind] of kinds) this.kinds.set(name, kind)
    for (const check of set.checks ?? []) this.checks.push({check, owner})

    if (!this.groups.includes(set.helpGroup)) this.groups.push(set.helpGroup)
  }

  get(name: string): TableEntry {
    const entry = this.byName.get(name)
    if (!entry) throw new Error(`unknown option ${name}`)
    return entry
  }

  /** Every key daemon.json may hold (§4.2): flag names (even if ignored), keys and file-only names. */
  knownKeys(): Set<string> {
    const keys = new Set<string>()
    for (const entry of this.entries) {
      if (!entry.fileOnly) keys.add(entry.name)
      const key = fileKey(entry)
      if (key) keys.add(key)
      for (const migrated of entry.migratedKeys ?? []) keys.add(migrated.key)
    }

    return keys
  }
}

/** The daemon.json key of an option: `undefined` when it has none (CLI-only). */
export function fileKey(spec: OptionSpec): string | undefined {
  if (spec.key === null) return undefined
  return spec.key ?? spec.name
}

/** "named" options are reported under their file key in conflicts (§4.3). */
export function conflictName(spec: OptionSpec): string {
  return fileKey(spec) ?? spec.name
}

/** The help/docs type word of an option, as pflag prints it (§2.3). */
export function typeWord(entry: {valueKind: ValueKind}): string {
  return entry.valueKind.typeWord
}
