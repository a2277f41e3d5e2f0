// SIGHUP's configuration reload (§5.2): re-read the file with this start's flags, decide which
// values change (reloadPlan), apply the reloadable ones, log and emit `daemon reload`. A reload
// that fails keeps the old configuration.
import {hostname} from 'node:os'

import type {EventBus} from '../api/index.js'
import {loadConfig} from '../config/load.js'
import {reloadPlan} from '../config/reload.js'
import {renderProblems} from '../config/render.js'
import type {DaemonConfig, LoadInput} from '../config/types.js'
import {tracer} from '../log/debug.js'
import {log} from '../log/logger.js'
import {printableValues} from '../options/sensitive.js'
import type {TargetPlatform} from '../platform/target.js'
import {configureLogging} from './logging.js'
import {reloadAttributes} from './reload-event.js'
import {notify} from './sd-notify.js'

const trace = tracer('daemon')

export interface ReloadChanges {
  applied: string[]
  needRestart: string[]
}

export interface ReloadInput {
  /** How the configuration was loaded at start: the same flags and file. */
  load: LoadInput
  platform: TargetPlatform
  events: EventBus
  engineID: string
}

/**
 * Re-reads the configuration. On any problem it is logged and undefined returned (the caller
 * keeps the old configuration). Otherwise the reloadable options are applied (log-level too, which
 * dockerd does not), the changed ones and those needing a restart are logged, and `daemon reload`
 * is emitted.
 */
export function reloadConfig(current: DaemonConfig, input: ReloadInput): {config: DaemonConfig; changes: ReloadChanges} | undefined {
  const {load} = input
  log.info('Got signal to reload configuration', {'config-file': load.configFile})
  void notify(`RELOADING=1\nMONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`, {log})
  const done = () => void notify('READY=1', {log})
  const result = loadConfig(load)
  if (!result.config) {
    log.error('Error reloading configuration', {error: renderProblems(result.problems).trimEnd()})
    done()
    return undefined
  }

  const table = load.table
  // Which values change is the table's (each option's `reload` attribute): src/config/reload.ts.
  const {applied, needRestart, values} = reloadPlan(current, result.config, table)
  const changes: ReloadChanges = {applied, needRestart}
  trace('reload: keys in the file %o, applied %o, need a restart %o', [...result.config.fileKeys].sort(), changes.applied, changes.needRestart)
  const next: DaemonConfig = {...current, fileKeys: result.config.fileKeys, values}
  configureLogging(next)
  const say = (label: string, name: string) => log.debug(`Reset ${label}: ${values[name]}`)
  say('Max Concurrent Downloads', 'max-concurrent-downloads')
  say('Max Concurrent Uploads', 'max-concurrent-uploads')
  say('Max Download Attempts', 'max-download-attempts')
  if (next.fileKeys.has('shutdown-timeout')) say('Shutdown Timeout', 'shutdown-timeout')
  if (next.fileKeys.has('default-stop-timeout')) say('Default Stop Timeout', 'default-stop-timeout')
  if (changes.applied.length > 0) log.info('Reloaded options', {options: changes.applied.join(',')})
  if (changes.needRestart.length > 0) {
    log.warn('Options changed in the configuration file take effect only after a restart', {options: changes.needRestart.join(',')})
  }

  log.info('Reloaded configuration', {config: JSON.stringify(printableValues(next.values, table))})
  input.events.publish({Action: 'reload', Actor: {Attributes: reloadAttributes(next, hostname(), input.platform), ID: input.engineID}, Type: 'daemon', scope: 'local'})
  done()
  return {changes, config: next}
}

