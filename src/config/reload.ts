import {isDeepStrictEqual} from 'node:util'

import {compareGoStrings} from '../go/fmt.js'
import {kindIsZero, isZero} from '../options/kinds.js'
import type {OptionTable} from '../options/table.js'
import type {ConfigValues, DaemonConfig} from './types.js'

/** What a SIGHUP does with a newly loaded configuration (§5.2). */
export interface ReloadPlan {
  /** Options whose effective value changes now, sorted. */
  applied: string[]
  /** Options whose value changed in the file but take effect only after a restart, sorted. */
  needRestart: string[]
  /** The effective values after the reload: the previous ones with `applied` taken from `next`. */
  values: ConfigValues
}

/**
 * The reload decision as a pure function of the two configurations and the table: like dockerd,
 * only what the new file states is considered, plus the options declared `reload: 'reset'`
 * (reset to their flag/default value when the file drops them). A change to an option declared
 * `reload: 'apply'` or `'reset'` is applied; any other change is reported as needing a restart.
 * Values are compared by the option kind's zero test (unset, false, 0, '', [] and {} are alike).
 */
export function reloadPlan(previous: DaemonConfig, next: DaemonConfig, table: OptionTable): ReloadPlan {
  const applied: string[] = []
  const needRestart: string[] = []
  const values: Record<string, unknown> = {...previous.values}
  for (const name of Object.keys(previous.values)) {
    const entry = table.byName.get(name)
    if (!next.fileKeys.has(name) && entry?.reload !== 'reset') continue
    const zero = (v: unknown) => (entry ? kindIsZero(entry.valueKind, v) : isZero(v))
    const normalise = (v: unknown) => (zero(v) ? undefined : v)
    if (isDeepStrictEqual(normalise(previous.values[name]), normalise(next.values[name]))) continue
    if (entry && entry.reload !== 'restart') {
      applied.push(name)
      values[name] = next.values[name]
    } else {
      needRestart.push(name)
    }
  }

  return {applied: applied.sort(compareGoStrings), needRestart: needRestart.sort(compareGoStrings), values: values as ConfigValues}
}
