import {flagDisplay} from './argv.js'
import {kindFlagString} from './kinds.js'
import type {TableEntry} from './table.js'

export {FileTypeError, isZero} from './kinds.js'

/** A flag value that failed to parse, in pflag's words. */
export class FlagValueError extends Error {}

type Raw = boolean | string | string[] | undefined

/** Converts what oclif parsed (strings) into the option's config value: its kind's parser. */
export function fromFlag(entry: TableEntry, raw: Raw): unknown {
  if (raw === undefined) return undefined
  const items = Array.isArray(raw) ? raw : [String(raw)]
  const one = (item: string, fn: (s: string) => unknown) => {
    try {
      return fn(item)
    } catch (error) {
      throw new FlagValueError(`invalid argument "${item}" for "${flagDisplay(entry)}" flag: ${(error as Error).message}`)
    }
  }

  const parseValue = entry.parseValue
  return entry.valueKind.fromFlag(items, {check: (item) => (parseValue ? one(item, parseValue) : item), one, spec: entry})
}

/**
 * Checks a daemon.json value's JSON type and converts it to the option's config value. `null` is
 * "unset" (§4.5). Errors name the directive the way encoding/json does. `numberText(sub)` gives
 * a number's literal text in the file (sub: '' for the value itself, `nofile/Hard` inside it).
 */
export function fromFile(entry: TableEntry, key: string, v: unknown, numberText: (sub: string) => string | undefined = () => undefined): unknown {
  if (v === null || v === undefined) return undefined
  return entry.valueKind.fromFile(v, {goType: entry.valueKind.goType, key, numberText, spec: entry})
}

/** The flag side's string form in conflict messages (pflag's Value.String()). */
export function flagString(entry: TableEntry, v: unknown): string {
  return kindFlagString(entry.valueKind, v)
}
