import {OptionTable, OptionTableError} from '../options/table.js'
import type {FlagSet} from '../options/types.js'
import {flagSetsFor} from '../platform/index.js'
import type {TargetPlatform} from '../platform/target.js'
import {BUILTIN_PLUGINS} from './builtin/index.js'
import {declarationProblems} from './check.js'
import type {DockerdPlugin} from './types.js'

/** A plugin that could not be used, and why (reported by name; the daemon goes on without it). */
export interface PluginFailure {
  message: string
  plugin: string
}

// Module state: the init hook, the command and the daemon are one module graph (lib/oclif.bundle.js
// and the chunks it loads lazily), so they see the same copy of this module.
let state: {failures: PluginFailure[]; flagSets: FlagSet[]; installed: DockerdPlugin[]} = {failures: [], flagSets: [], installed: []}

/** A plugin's flag sets for the target OS, owned by the plugin (for collision messages). */
export function pluginFlagSets(platform: TargetPlatform, plugin: DockerdPlugin): FlagSet[] {
  return flagSetsFor(platform, (plugin.flagSets ?? []).map((s) => ({...s, owner: s.owner ?? plugin.name})))
}

/**
 * Accepts installed plugins in name order, each whole or not at all: one whose declaration is not
 * the contract's (an unknown option kind, a route without a handler) is refused naming what is
 * wrong, and one whose flag, shorthand or daemon.json key collides with the daemon's or an earlier
 * plugin's is refused, naming both owners.
 */
export function acceptPlugins(
  platform: TargetPlatform,
  candidates: readonly DockerdPlugin[],
  base: readonly FlagSet[],
): {accepted: DockerdPlugin[]; failures: PluginFailure[]} {
  const accepted: DockerdPlugin[] = []
  const refused: PluginFailure[] = []
  let sets = [...base]
  for (const plugin of [...candidates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const problems = declarationProblems(plugin as unknown as Record<string, unknown>)
    if (problems.length > 0) {
      refused.push({message: `plugin ${plugin.name} refused: ${problems.join('; ')}`, plugin: plugin.name})
      continue
    }

    const own = pluginFlagSets(platform, plugin)
    try {
      // A throw-away table: building it is the collision check.
      void new OptionTable([...sets, ...own])
      sets = [...sets, ...own]
      accepted.push(plugin)
    } catch (error) {
      if (!(error instanceof OptionTableError)) throw error
      refused.push({message: `plugin ${plugin.name} refused: ${error.message}`, plugin: plugin.name})
    }
  }

  return {accepted, failures: refused}
}

/** Installed plugins accepted in this process (set by the plugins init hook), and their flag sets. */
export function setInstalledPlugins(platform: TargetPlatform, plugins: DockerdPlugin[], problems: PluginFailure[]): void {
  state = {failures: problems, flagSets: plugins.flatMap((p) => pluginFlagSets(platform, p)), installed: plugins}
}

/** The flag sets installed plugins contribute: the `extra` of the option table. */
export function installedFlagSets(): readonly FlagSet[] {
  return state.flagSets
}

/** Built-in plugins, then installed ones: what the daemon runs. */
export function activePlugins(): readonly DockerdPlugin[] {
  return [...BUILTIN_PLUGINS, ...(state.installed)]
}

export function pluginFailures(): readonly PluginFailure[] {
  return state.failures
}
