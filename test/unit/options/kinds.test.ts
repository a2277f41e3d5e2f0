// The registry of value kinds (issue 9 #1): each kind one object, registered in the table; a flag
// set may register more; an option whose kind nobody registered is refused, naming its owner.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {load} from '../../helpers/config.js'
import {daemonJsonSchema} from '../../../src/config/schema.js'
import {BUILTIN_KINDS} from '../../../src/options/kinds.js'
import {optionTable} from '../../../src/options/index.js'
import {OptionCollisionError, OptionTable, OptionTableError, typeWord} from '../../../src/options/table.js'
import type {FlagSet, ValueKind} from '../../../src/options/types.js'
import {fromFile, fromFlag} from '../../../src/options/values.js'
import {acceptPlugins} from '../../../src/plugins/registry.js'
import {builtinFlagSets} from '../../../src/options/index.js'

const octal: Omit<ValueKind, 'name'> = {
  description: 'an octal file mode',
  flag: 'single',
  fromFile(v, ctx) {
    if (typeof v !== 'string') throw new Error(`json: cannot unmarshal ${typeof v} into Go struct field Config.${ctx.key} of type ${ctx.goType}`)
    return Number.parseInt(v, 8)
  },
  fromFlag: (items, ctx) =>
    ctx.one(items.at(-1)!, (s) => {
      if (!/^[0-7]{3,4}$/.test(s)) throw new Error('not an octal mode')
      return Number.parseInt(s, 8)
    }),
  goType: 'os.FileMode',
  schema: {pattern: '^[0-7]{3,4}$', type: 'string'},
  typeWord: 'mode',
}

const withKind: FlagSet = {
  helpGroup: 'MODES',
  id: 'modes',
  kinds: [{...octal, name: 'octal'}],
  options: [{description: 'Socket mode', kind: 'octal', name: 'socket-mode'}],
  owner: 'modes-plugin',
}

describe('value kinds', () => {
  it('every option of every OS table resolves to a registered kind object', () => {
    for (const platform of ['linux', 'freebsd', 'win32', 'darwin'] as const) {
      for (const entry of optionTable(platform, []).entries) assert.equal(entry.valueKind.name, entry.kind, `--${entry.name}`)
    }
  })

  it('an option whose kind is not registered is refused when the table is assembled, naming the owner and the kind', () => {
    const set: FlagSet = {helpGroup: 'X', id: 'x', options: [{description: 'x', kind: 'duration', name: 'x-timeout'}], owner: 'x-plugin'}
    assert.throws(
      () => new OptionTable([...builtinFlagSets('linux'), set]),
      (error: Error) => error instanceof OptionTableError && /^option --x-timeout of x-plugin: unknown kind "duration" \(valid kinds: bool, bytes, /.test(error.message),
    )
    // A JavaScript plugin naming an unknown kind is refused by name, the others kept.
    const {accepted, failures} = acceptPlugins('linux', [{flagSets: [set], name: 'x-plugin'}], builtinFlagSets('linux'))
    assert.deepEqual(accepted, [])
    assert.match(failures[0]!.message, /^plugin x-plugin refused: option --x-timeout: unknown kind "duration"/)
  })

  it('a kind registered twice is refused, and a refused set leaves the table as it was', () => {
    const table = new OptionTable(builtinFlagSets('linux'))
    const before = table.entries.length
    assert.throws(() => table.add({...withKind, kinds: [{...octal, name: 'string'}]}), /value kind "string" of modes-plugin is already registered/)
    assert.equal(table.entries.length, before)
    assert.ok(!table.kinds.has('octal'))
    assert.ok(new OptionCollisionError('x') instanceof OptionTableError)
  })

  it("a plugin's kind parses its flag, checks its file value, gives the help word and the schema", () => {
    const table = new OptionTable([...builtinFlagSets('linux'), withKind])
    const entry = table.get('socket-mode')
    assert.equal(typeWord(entry), 'mode')
    assert.equal(fromFlag(entry, ['0660']), 0o660)
    assert.throws(() => fromFlag(entry, ['9']), /invalid argument "9" for "--socket-mode" flag: not an octal mode/)
    assert.equal(fromFile(entry, 'socket-mode', '0600'), 0o600)
    assert.throws(() => fromFile(entry, 'socket-mode', 600), /cannot unmarshal number into Go struct field Config.socket-mode of type os.FileMode/)
    const schema = daemonJsonSchema(table, 'linux') as {properties: Record<string, {anyOf: [{pattern: string}]}>}
    assert.equal(schema.properties['socket-mode']!.anyOf[0].pattern, '^[0-7]{3,4}$')
    // Registered kinds stay available to sets added later (another plugin may reuse them).
    table.add({helpGroup: 'Y', id: 'y', options: [{description: 'y', kind: 'octal', name: 'y-mode'}], owner: 'y-plugin'})
    assert.equal(table.get('y-mode').valueKind.name, 'octal')
  })

  it('docs/options.md describes every built-in kind', () => {
    const doc = readFileSync(new URL('../../../docs/options.md', import.meta.url), 'utf8')
    for (const kind of BUILTIN_KINDS) assert.ok(doc.includes(`| \`${kind.name}\` |`), `docs/options.md lacks kind ${kind.name}`)
  })
})

describe('option attributes and checks (behaviour kept, rules from the table)', () => {
  it('a migrated key feeds its option; both spellings, or the wrong type, are refused with dockerd\'s text', () => {
    assert.deepEqual(load({file: '{"host-gateway-ip": "10.0.0.1"}'}).config?.values['host-gateway-ip'], ['10.0.0.1'])
    assert.match(load({file: '{"host-gateway-ip": "10.0.0.1", "host-gateway-ips": ["10.0.0.2"]}'}).text, /host-gateway-ip and host-gateway-ips must not both be specified in the config file/)
    assert.match(load({file: '{"host-gateway-ip": 1}'}).text, /json: cannot unmarshal number into Go struct field Config.host-gateway-ip of type netip.Addr/)
    assert.match(load({argv: ['--host-gateway-ip', '10.0.0.3'], file: '{"host-gateway-ip": "10.0.0.1"}'}).text, /host-gateway-ip: \(from flag: \[10.0.0.3\], from file: 10.0.0.1\)/)
  })

  it('keepZero: the file\'s 0 for default-stop-timeout and false for a bool win over the flag side', () => {
    assert.equal(load({file: '{"default-stop-timeout": 0}'}).config?.values['default-stop-timeout'], 0)
    assert.equal(load({file: '{"icc": false}'}).config?.values.icc, false)
    assert.equal(load({file: '{"mtu": 0}'}).config?.values.mtu, 1500)
  })

  it('cross-option checks declared on the flag set keep their texts', () => {
    assert.match(load({argv: ['--cri-containerd'], file: '{"features": {"embedded-containerd": true}}'}).text, /conflicting options: cannot use the "embedded-containerd" feature and CRI support \(--cri-containerd\) at the same time/)
    assert.match(load({argv: ['--host-gateway-ip', '10.0.0.1', '--host-gateway-ip', '10.0.0.2']}).text, /only one IPv4 host gateway IP address can be specified/)
    assert.match(load({file: '{"min-api-version": "v1.24"}'}).text, /invalid min-api-version: API version must be provided without "v" prefix/)
  })

  it('numeric rules call the tested validateNumbers (same texts)', () => {
    assert.match(load({argv: ['--mtu', '-1']}).text, /invalid default MTU: -1/)
    assert.match(load({argv: ['--network-diagnostic-port', '70000']}).text, /invalid network-diagnostic-port \(70000\): value must be between 0 and 65535/)
    assert.match(load({file: '{"max-download-attempts": -2}'}).text, /invalid max download attempts: -2/)
  })

  it('config values are typed from the table', () => {
    const values = load({}).config!.values
    // Compile-time: these assignments fail to type-check if the derived types drift.
    const dataRoot: string = values['data-root']
    const debug: boolean | undefined = values.debug
    const mtu: number = values.mtu
    const hosts: string[] | undefined = values.host
    const plugin: unknown = values['some-plugin-option']
    assert.equal(typeof dataRoot, 'string')
    assert.equal(debug, undefined)
    assert.equal(mtu, 1500)
    assert.equal(hosts, undefined)
    assert.equal(plugin, undefined)
  })
})
