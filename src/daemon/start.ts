import {loadConfig} from '../config/load.js'
import {renderProblems} from '../config/render.js'
import type {FlagValues} from '../config/types.js'
import {optionTable} from '../options/index.js'
import {defaultsContext} from '../platform/paths.js'
import type {TargetPlatform} from '../platform/target.js'

/**
 * From parsed flags to a running daemon (or `--validate`'s verdict). Returns the exit status;
 * `table` is the one the flags were read with (installed plugins' sets included). Every problem is printed on stderr, nothing on stdout.
 */
export async function start(flags: FlagValues, platform: TargetPlatform, table = optionTable(platform)): Promise<number> {
  const defaults = defaultsContext(platform)
  const configFile = flags['config-file'] === undefined ? String(table.get('config-file').default?.(defaults) ?? '') : String(flags['config-file'])
  const load = {configFile, configFileExplicit: flags['config-file'] !== undefined, defaults, flags, table}
  const result = loadConfig(load)
  if (!result.config) {
    process.stderr.write(renderProblems(result.problems))
    return 1
  }

  if (flags.validate) {
    // A start runs without a broken plugin (and logs it); a validation says the configuration
    // is not what the user asked for: its options are missing.
    const {pluginFailures} = await import('../plugins/registry.js')
    const failures = pluginFailures()
    if (failures.length > 0) {
      process.stderr.write(failures.map((f) => `${f.message}\n`).join(''))
      return 1
    }

    process.stderr.write('configuration OK\n')
    return 0
  }

  const {runDaemon} = await import('./run.js')
  return runDaemon({config: result.config, load, platform})
}
