import type {FlagSet, OptionKind, OptionSpec} from './types.js'

/** An option as resolved into the table: the spec plus where it came from. */
export interface TableEntry extends OptionSpec {
  group: string
  owner: string
  setId: string
}

export class OptionCollisionError extends Error {}

/** Every option kind, for refusing a plugin's declaration that names another. */
export const OPTION_KINDS = [
  'bool', 'bytes', 'features', 'int', 'ip', 'list', 'map', 'mapmap', 'nri-opts', 'object', 'pools', 'runtimes', 'string', 'ulimits',
] as const satisfies readonly OptionKind[]
// A kind added to OptionKind but not above fails to compile here.
const allKindsListed: [Exclude<OptionKind, (typeof OPTION_KINDS)[number]>] extends [never] ? true : never = true
void allKindsListed

/** Kinds whose daemon.json value is an object that must not be flattened (§4.2). */
export const OBJECT_KINDS: ReadonlySet<OptionKind> = new Set(['features', 'map', 'mapmap', 'nri-opts', 'object', 'runtimes', 'ulimits'])

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

  constructor(sets: readonly FlagSet[]) {
    for (const set of sets) this.add(set)
  }

  /** Adds a set whole or not at all: a collision leaves the table as it was. */
  add(set: FlagSet): void {
    const owner = set.owner ?? set.id
    const entries: TableEntry[] = set.options.map((spec) => ({...spec, group: set.helpGroup, owner, setId: set.id}))
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

/** The help/docs type word of a kind, as pflag prints it (§2.3). */
export function typeWord(kind: OptionKind): string {
  switch (kind) {
    case 'bool': {
      return ''
    }

    case 'features': {
      return 'map'
    }

    case 'pools': {
      return 'pool-options'
    }

    case 'runtimes': {
      return 'runtime'
    }

    case 'ulimits': {
      return 'ulimit'
    }

    default: {
      return kind
    }
  }
}
