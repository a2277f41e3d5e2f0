import {enumProblem} from '../opts/validators.js'
import type {TableEntry} from './table.js'
import type {ValidateContext} from './types.js'

/** The default refusal of a value outside an option's enum, when the option words none. */
const enumDefaultError = (entry: TableEntry) => (v: string) =>
  `invalid ${entry.name}: ${JSON.stringify(v)} (valid values: ${entry.enum!.map((e) => JSON.stringify(e)).join(', ')})`

/**
 * Everything wrong with one option's merged value by its own rule: the enum (the rule for the
 * schema and help too), then its `validate`. [] when it passes; unset values are not checked.
 */
export function optionProblems(entry: TableEntry, value: unknown, ctx: ValidateContext): string[] {
  if (value === undefined || value === null) return []
  const problems: string[] = []
  if (entry.enum && typeof value === 'string') {
    const problem = enumProblem({enum: entry.enum, enumCase: entry.enumCase}, value, entry.enumError ?? enumDefaultError(entry))
    if (problem) problems.push(problem)
  }

  if (problems.length === 0 && entry.validate) problems.push(...[entry.validate(value as never, ctx) ?? []].flat().filter(Boolean))
  return problems
}
