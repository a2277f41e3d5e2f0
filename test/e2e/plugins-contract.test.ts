// The plugin contract end to end: installed (linked) plugins contribute flags, daemon.json keys,
// routes with a minimum API version, /info entries; a plugin that throws at load or whose option
// collides with dockerd's is reported by name and the daemon keeps its own flags and routes.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'

import {NOT_BUILT, type Temp, api, apiJSON, baseArgs, daemonBuilt, runToExit, shortTemp, startDaemon} from '../helpers/daemon.js'
import {linkedDataDir, plugin} from '../helpers/plugins.js'
import {run} from '../helpers/run.js'

describe('plugin contract (linked plugins, built bin/run.js)', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
  let t: Temp
  let env: NodeJS.ProcessEnv
  let goodOnly: NodeJS.ProcessEnv
  before(() => {
    t = shortTemp()
    const roots = [
      plugin(t.dir, 'broken-plugin', `export default async function () { throw new Error('boom at load') }\n`),
      plugin(
        t.dir,
        'colliding-plugin',
        `export default async function () {
  return {name: 'colliding-plugin', flagSets: [{id: 'c', helpGroup: 'COLLIDING', options: [{name: 'debug', kind: 'bool', description: 'mine'}]}]}
}\n`,
      ),
      plugin(
        t.dir,
        'good-plugin',
        `export default async function ({platform}) {
  return {
    name: 'good-plugin',
    flagSets: [{id: 'good', helpGroup: 'GOOD', options: [{name: 'good-level', kind: 'int', description: 'How good'}]}],
    routes: [{method: 'GET', path: '/good', minVersion: '1.41', handler(req, res, ctx) {
      res.writeHead(200, {'Content-Type': 'application/json'})
      res.end(JSON.stringify({level: ctx.api ? 'ok' : 'no', version: ctx.version}))
    }}],
    info: (config) => ({GoodLevel: config.values['good-level'] ?? null}),
    start(ctx) { ctx.log.info('good plugin started', {platform}) },
  }
}\n`,
      ),
    ]
    roots.push(
      plugin(
        t.dir,
        'misdeclared-plugin',
        `export default async function () {
  return {name: 'misdeclared-plugin', flagSets: [{id: 'm', helpGroup: 'MIS', options: [{name: 'mis-level', kind: 'integer', description: 'typo in kind'}]}]}
}\n`,
      ),
    )
    const dataDir = (name: string, linked: string[]) => linkedDataDir(t.dir, name, linked)

    env = dataDir('data-dir', roots)
    goodOnly = dataDir('data-good', roots.filter((r) => r.endsWith('good-plugin')))
  })
  after(() => t.done())

  it('help lists the good plugin group, not the refused ones', () => {
    const r = run(['--help'], {env, home: t.dir})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /GOOD FLAGS\n\s+--good-level=int\s+How good/)
    assert.doesNotMatch(r.stdout, /COLLIDING/)
    assert.match(r.stdout, /-D, --debug\s+Enable debug mode/)
  })

  it('a plugin flag is parsed and validated like dockerd\'s, and its key is accepted in daemon.json', () => {
    const bad = run(['--validate', '--good-level', 'abc'], {env, home: t.dir})
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /invalid argument "abc" for "--good-level" flag: strconv.ParseInt/)
    writeFileSync(t.p('good.json'), '{"good-level": 3}')
    const ok = run(['--validate', '--config-file', t.p('good.json')], {env: goodOnly, home: t.dir})
    assert.equal(ok.stderr, 'configuration OK\n')
  })

  it('--validate fails naming each plugin that failed to load, collides or is misdeclared (issue 11.4)', () => {
    writeFileSync(t.p('good.json'), '{"good-level": 3}')
    const r = run(['--validate', '--config-file', t.p('good.json')], {env, home: t.dir})
    assert.equal(r.status, 1)
    assert.equal(
      r.stderr,
      [
        'plugin broken-plugin failed to load: boom at load',
        "plugin colliding-plugin refused: option --debug of colliding-plugin collides with dockerd's --debug",
        'plugin misdeclared-plugin refused: option --mis-level: unknown kind "integer" (valid kinds: bool, bytes, features, int, ip, list, map, mapmap, nri-opts, object, pools, runtimes, string, ulimits)',
        '',
      ].join('\n'),
    )
  })

  it('the daemon reports the broken and colliding plugins by name and serves its own and the good plugin\'s routes', async () => {
    const d = await startDaemon([...baseArgs(t, {config: '{"good-level": 7}'})], {env, home: t.dir})
    try {
      assert.match(d.stderr(), /level=error msg="plugin broken-plugin failed to load: boom at load" plugin=broken-plugin/)
      assert.match(d.stderr(), /plugin colliding-plugin refused: option --debug of colliding-plugin collides with dockerd's --debug/)
      assert.match(d.stderr(), /plugin misdeclared-plugin refused: option --mis-level: unknown kind \\"integer\\"/)
      assert.match(d.stderr(), /msg="good plugin started"/)
      assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
      const good = await api(t.p('docker.sock'), '/v1.45/good')
      assert.equal(good.status, 200)
      assert.deepEqual(JSON.parse(good.body), {level: 'ok', version: '1.45'})
      const old = await api(t.p('docker.sock'), '/v1.40/good')
      assert.equal(old.status, 400)
      assert.match(old.body, /requires API version 1.41/)
      const info = await apiJSON<{GoodLevel: number; ID: string}>(t.p('docker.sock'), '/info')
      assert.equal(info.GoodLevel, 7)
      assert.ok(info.ID)
    } finally {
      assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
    }
  })

  it('an unknown --authorization-plugin is an error naming it, and nothing is left', async () => {
    const before = t.list()
    const r = await runToExit([...baseArgs(t), '--authorization-plugin=nosuch'], {env, home: t.dir})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /authorization plugin "nosuch" not found/)
    assert.deepEqual(t.list(), before)
  })
})
