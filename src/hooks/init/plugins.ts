import type {Hook} from '@oclif/core/hooks'

import {builtinFlagSets} from '../../options/index.js'
import {tracer} from '../../log/debug.js'
import {targetPlatform} from '../../platform/target.js'
import {acceptPlugins, setInstalledPlugins, type PluginFailure} from '../../plugins/registry.js'
import {untrustedReason} from '../../plugins/trust.js'
import type {DockerdPlugin} from '../../plugins/types.js'
import {register, registered} from '../../reexec/registry.js'
import {exitIfReexec} from './reexec.js'

/**
 * Loads installed plugins: every oclif plugin with a `dockerd:plugin` hook returns a DockerdPlugin.
 * One that throws, or whose options collide, is set aside with its name and the reason; the daemon
 * keeps its own flags and routes either way. Runs before the command is resolved, so the plugins'
 * flags are known to the parser, help and daemon.json checks.
 */
const hook: Hook.Init = async function ({config}) {
  const platform = targetPlatform()
  const failures: PluginFailure[] = []
  const candidates: DockerdPlugin[] = []
  // As root, code another user can change is never loaded: it would run with root's rights.
  if (process.geteuid?.() === 0) {
    for (const plugin of [...config.plugins.values()]) {
      if (plugin.type !== 'user' && plugin.type !== 'link') continue
      const why = untrustedReason(plugin.root)
      if (!why) continue
      config.plugins.delete(plugin.name)
      failures.push({message: `plugin ${plugin.name} refused: the daemon runs as root and ${why}`, plugin: plugin.name})
    }
  }

  // captureErrors: a plugin's throw must land in `failures`, not abort the command.
  const result = await config.runHook('dockerd:plugin', {platform}, 10_000, true)
  for (const {error, plugin} of result.failures) {
    failures.push({message: `plugin ${plugin.name} failed to load: ${(error as Error).message}`, plugin: plugin.name})
  }

  for (const {plugin, result: value} of result.successes) {
    const contributed = value as DockerdPlugin | undefined
    if (!contributed || typeof contributed !== 'object') continue
    candidates.push({...contributed, name: contributed.name || plugin.name})
  }

  const {accepted, failures: refused} = acceptPlugins(platform, candidates, builtinFlagSets(platform))
  tracer('plugins')('installed plugins accepted: %o; refused or failed: %o', accepted.map((p) => p.name), [...failures, ...refused].map((f) => f.plugin))
  setInstalledPlugins(platform, accepted, [...failures, ...refused].sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0)))

  // A plugin's reexec helpers: register them, and run one if this process was started as it.
  for (const plugin of accepted) {
    for (const [name, loader] of Object.entries(plugin.reexec ?? {})) if (!registered(name)) register(name, loader)
  }

  await exitIfReexec()
}

export default hook
