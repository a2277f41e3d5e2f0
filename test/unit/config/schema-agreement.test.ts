// The published JSON Schema and the validator must give the same verdict on a value: the schema is
// derived from the option table, and for enum options the table's enum is the rule (regressions:
// `{"log-level":"trace"}` passed --validate but the schema refused it; `default-cgroupns-mode: ""`
// is accepted by moby and was refused here).
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {daemonJsonSchema} from '../../../src/config/schema.js'
import {optionTable} from '../../../src/options/index.js'
import {optionProblems} from '../../../src/options/rules.js'

type Schema = {anyOf?: Schema[]; enum?: unknown[]; pattern?: string; type?: string}

/** Enough of JSON Schema for string options: type, enum, pattern, anyOf. */
function accepts(schema: Schema, value: unknown): boolean {
  if (schema.anyOf) return schema.anyOf.some((s) => accepts(s, value))
  if (schema.type === 'null') return value === null
  if (schema.type === 'string' && typeof value !== 'string') return false
  if (schema.enum && !schema.enum.includes(value)) return false
  if (schema.pattern && !new RegExp(schema.pattern).test(String(value))) return false
  return true
}

describe('schema and validator agree', () => {
  const table = optionTable('linux')
  const schema = daemonJsonSchema(table, 'linux') as {properties: Record<string, Schema>}
  const values = ['', 'trace', 'TRACE', 'Debug', 'debug', 'info', 'warn', 'warning', 'panic', 'fatal', 'error', 'host', 'private', 'HOST', 'x', ' debug', 'shareable']
  for (const name of ['log-level', 'default-cgroupns-mode', 'default-ipc-mode', 'log-format', 'firewall-backend']) {
    const entry = table.byName.get(name)!
    for (const value of values) {
      test(`${name} = ${JSON.stringify(value)}`, () => {
        const problem = optionProblems(entry, value, {platform: 'linux'})
        const valid = problem.length === 0
        assert.equal(accepts(schema.properties[name]!, value), valid, `validator says ${JSON.stringify(problem)}`)
      })
    }
  }

  test('log-level accepts every logrus level in any case; default-cgroupns-mode accepts ""', () => {
    assert.deepEqual(optionProblems(table.get('log-level'), 'trace', {platform: 'linux'}), [])
    assert.deepEqual(optionProblems(table.get('log-level'), 'TRACE', {platform: 'linux'}), [])
    assert.deepEqual(optionProblems(table.get('default-cgroupns-mode'), '', {platform: 'linux'}), [])
  })

  test('an enum is its validator: no option declares both an enum and a validate function', () => {
    for (const platform of ['linux', 'freebsd', 'win32'] as const) {
      for (const entry of optionTable(platform, []).entries) assert.ok(!(entry.enum && entry.validate), `--${entry.name} repeats its enum in validate`)
    }
  })

  test('default-ipc-mode: the table uses the tested validator (a bare "container" is invalid, not "not supported")', () => {
    assert.deepEqual(optionProblems(table.get('default-ipc-mode'), 'container', {platform: 'linux'}), [
      'default IPC mode setting (container) is invalid; use "shareable" or "private"',
    ])
    assert.deepEqual(optionProblems(table.get('default-ipc-mode'), 'container:x', {platform: 'linux'}), [
      'IPC mode "container:x" is not supported as default value; use "shareable" or "private"',
    ])
  })
})
