import {BUILTIN_FLAG_SETS, flagSetsFor} from '../platform/index.js'
import type {TargetPlatform} from '../platform/target.js'
import {OptionTable} from './table.js'
import type {FlagSet} from './types.js'

let contributed: FlagSet[] = []

/** Flag sets that installed plugins contributed in this process (set by the plugin loader). */
export function setContributedFlagSets(sets: FlagSet[]): void {
  contributed = sets
}

/** The option table for a target OS: built-in sets chosen by platform, then plugin sets. */
export function optionTable(platform: TargetPlatform, extra: readonly FlagSet[] = contributed): OptionTable {
  return new OptionTable([...flagSetsFor(platform, BUILTIN_FLAG_SETS), ...flagSetsFor(platform, extra)])
}
