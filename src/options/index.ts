import {BUILTIN_FLAG_SETS, flagSetsFor} from '../platform/index.js'
import type {TargetPlatform} from '../platform/target.js'
import {BUILTIN_PLUGINS} from '../plugins/builtin/index.js'
import {OptionTable} from './table.js'
import type {FlagSet} from './types.js'

/** The daemon's own flag sets for a target OS: the platform sets and the built-in plugins'. */
export function builtinFlagSets(platform: TargetPlatform): FlagSet[] {
  const fromPlugins = BUILTIN_PLUGINS.flatMap((p) => (p.flagSets ?? []).map((s) => ({...s, owner: s.owner ?? 'dockerd'})))
  return [...flagSetsFor(platform, BUILTIN_FLAG_SETS), ...flagSetsFor(platform, fromPlugins)]
}

/** The option table for a target OS: built-in sets, then `extra` (the sets of installed plugins). */
export function optionTable(platform: TargetPlatform, extra: readonly FlagSet[] = []): OptionTable {
  return new OptionTable([...builtinFlagSets(platform), ...flagSetsFor(platform, extra)])
}
