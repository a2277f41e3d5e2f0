import type {DaemonConfig} from '../config/types.js'
import {log} from '../log/logger.js'
import type {Level} from '../log/types.js'

/** Logging as the merged configuration says: -D wins over --log-level (§3.1). */
export function configureLogging(config: DaemonConfig): void {
  const v = config.values
  const wanted = String(v['log-level'] || 'info').toLowerCase()
  const level = (v.debug ? 'debug' : wanted === 'warning' ? 'warn' : wanted) as Level
  log.configure({format: v['log-format'] === 'json' ? 'json' : 'text', level, rawLogs: Boolean(v['raw-logs'])})
}
