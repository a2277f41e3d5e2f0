import {fileKey, type OptionTable, type TableEntry} from '../options/table.js'
import type {TargetPlatform} from '../platform/target.js'

type Schema = Record<string, unknown>

/** `^(?:[dD][eE][bB][uU][gG]|…)?$`: JSON Schema patterns have no case-insensitive flag. */
export function caseInsensitivePattern(values: readonly string[]): string {
  const fold = (v: string) => [...v].map((c) => (c.toLowerCase() === c.toUpperCase() ? c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : `[${c.toLowerCase()}${c.toUpperCase()}]`)).join('')
  return `^(?:${values.map(fold).join('|')})?$`
}

function entrySchema(entry: TableEntry): Schema {
  const schema: Schema = {...structuredClone(entry.valueKind.schema), description: entry.description}
  if (entry.enum && entry.enumCase === 'insensitive') schema.pattern = caseInsensitivePattern(entry.enum)
  else if (entry.enum) schema.enum = [...entry.enum, ...(entry.valueKind.schema.type === 'string' ? [''] : [])]
  if (entry.deprecated || entry.ignored) schema.deprecated = true
  // null means "unset" to dockerd (§4.5), so every key accepts it.
  return {anyOf: [schema, {type: 'null'}], description: entry.description}
}

/** The JSON Schema (draft-07) of daemon.json for a target OS, derived from the option table. */
export function daemonJsonSchema(table: OptionTable, platform: TargetPlatform): Schema {
  const properties: Record<string, Schema> = {}
  const nested: Record<string, Record<string, Schema>> = {}
  for (const entry of table.entries) {
    const key = fileKey(entry)
    if (!key) continue
    if (entry.parent) {
      nested[entry.parent] = {...nested[entry.parent], [key]: entrySchema(entry)}
      continue
    }

    properties[key] = entrySchema(entry)
  }

  for (const [parent, props] of Object.entries(nested)) {
    properties[parent] = {additionalProperties: false, properties: props, type: 'object'}
  }

  const sorted = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return {
    $id: `https://dockerd-ts.invalid/schema/daemon.${platform}.json`,
    $schema: 'http://json-schema.org/draft-07/schema#',
    additionalProperties: false,
    description: `dockerd daemon.json (${platform}); generated from the option table`,
    properties: sorted,
    title: 'daemon.json',
    type: 'object',
  }
}
