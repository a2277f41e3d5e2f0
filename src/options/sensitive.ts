import {maskSensitive} from '../opts/validators.js'
import type {OptionTable} from './table.js'

export {maskSensitive} from '../opts/validators.js'

/** An option's value as it may be printed: a `sensitive` option's strings (or list items) masked. */
export function maskedValue(option: {sensitive?: 'url-credentials'}, value: unknown): unknown {
  if (!option.sensitive) return value
  if (typeof value === 'string') return maskSensitive(option, value)
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? maskSensitive(option, item) : item))
  return value
}

/**
 * The configuration as every log line, report and reload line prints it: sorted by option name,
 * unset values left out, sensitive values masked. The one masking path the daemon calls.
 */
export function printableValues(values: Readonly<Record<string, unknown>>, table: OptionTable): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, v]) => {
        const entry = table.byName.get(name)
        return [name, entry ? maskedValue(entry, v) : v]
      }),
  )
}
