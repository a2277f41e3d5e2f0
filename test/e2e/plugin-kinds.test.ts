// A plugin's own value kind end to end (issue 9 #1): registered through FlagSet.kinds, it parses
// the plugin's flag, type-checks its daemon.json key with encoding/json's words and names its help
// word; a plugin whose option names a kind nobody registers is refused, naming the plugin and the kind.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'

import {NOT_BUILT, type Temp, daemonBuilt, shortTemp} from '../helpers/daemon.js'
import {linkedDataDir, plugin} from '../helpers/plugins.js'
import {run} from '../helpers/run.js'

// A "port" kind: 1-65535 on the command line and a JSON integer in the file.
const PORT_PLUGIN = `const port = {
  name: 'port',
  description: 'a TCP port, 1-65535',
  flag: 'single',
  goType: 'uint16',
  typeWord: 'port',
  schema: {type: 'integer', minimum: 1, maximum: 65535},
  fromFlag: (items, ctx) => ctx.one(items.at(-1), (s) => {
    const n = Number(s)
    if (!/^\\d+$/.test(s) || n < 1 || n > 65535) throw new Error('not a port')
    return n
  }),
  fromFile(v, ctx) {
    if (typeof v !== 'number') throw new Error('json: cannot unmarshal ' + typeof v + ' into Go struct field Config.' + ctx.key + ' of type ' + ctx.goType)
    return v
  },
}
export default async function () {
  return {name: 'port-plugin', flagSets: [{id: 'port', helpGroup: 'PORT', kinds: [port], options: [{name: 'port-listen', kind: 'port', description: 'Port to listen on'}]}]}
}
`

describe('plugin value kinds (linked plugins, built bin/run.js)', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
  let t: Temp
  let env: NodeJS.ProcessEnv
  before(() => {
    t = shortTemp()
    const roots = [
      plugin(t.dir, 'port-plugin', PORT_PLUGIN),
      plugin(
        t.dir,
        'kindless-plugin',
        `export default async function () {
  return {name: 'kindless-plugin', flagSets: [{id: 'k', helpGroup: 'KINDLESS', options: [{name: 'kindless-x', kind: 'duration', description: 'no such kind'}]}]}
}\n`,
      ),
    ]
    env = linkedDataDir(t.dir, 'data', roots)
  })
  after(() => t.done())

  it('an option whose kind no flag set registers is refused, naming the plugin and the kind', () => {
    writeFileSync(t.p('empty.json'), '{}')
    const r = run(['--validate', '--config-file', t.p('empty.json')], {env, home: t.dir})
    assert.equal(r.status, 1)
    assert.match(r.stderr, /^plugin kindless-plugin refused: option --kindless-x: unknown kind "duration" \(valid kinds: bool, bytes, .*string, ulimits\)$/m)
    assert.doesNotMatch(r.stderr, /port-plugin/)
  })

  it("the plugin's kind parses its flag, checks its file value and gives its help word", () => {
    const help = run(['--help'], {env, home: t.dir})
    assert.equal(help.status, 0, help.stderr)
    assert.match(help.stdout, /PORT FLAGS\n\s+--port-listen=port\s+Port to listen on/)
    const bad = run(['--validate', '--port-listen', '70000', '--config-file', t.p('empty.json')], {env, home: t.dir})
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /invalid argument "70000" for "--port-listen" flag: not a port/)
    writeFileSync(t.p('string.json'), '{"port-listen": "80"}')
    const typed = run(['--validate', '--config-file', t.p('string.json')], {env, home: t.dir})
    assert.equal(typed.status, 1)
    assert.match(typed.stderr, /json: cannot unmarshal string into Go struct field Config.port-listen of type uint16/)
    writeFileSync(t.p('both.json'), '{"port-listen": 80}')
    const both = run(['--validate', '--port-listen', '81', '--config-file', t.p('both.json')], {env, home: t.dir})
    assert.match(both.stderr, /port-listen: \(from flag: 81, from file: 80\)/)
  })
})
