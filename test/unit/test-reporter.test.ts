import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {ROOT} from '../helpers/run.js'

describe("npm test's reporter (scripts/test-reporter.mjs)", () => {
  it('spec lines, the failure in full, then the TAP summary lines CI reads, last', () => {
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=./scripts/test-reporter.mjs', join('test', 'fixtures', 'reporter', 'sample.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
      // Without NODE_TEST_CONTEXT: with it, the child would report to this runner, not print.
      env: {...process.env, FORCE_COLOR: '0', NODE_TEST_CONTEXT: undefined, NO_COLOR: '1'},
      timeout: 60_000,
    })
    assert.equal(r.status, 1, 'a failure fails the run')
    const lines = r.stdout.trimEnd().split('\n')
    assert.deepEqual(
      lines.slice(-8).map((l) => l.replace(/ [\d.]+$/, ' N')),
      ['# tests N', '# suites N', '# pass N', '# fail N', '# cancelled N', '# skipped N', '# todo N', '# duration_ms N'],
    )
    assert.deepEqual(lines.slice(-8, -4), ['# tests 2', '# suites 1', '# pass 1', '# fail 1'])
    assert.match(r.stdout, /✔ passes/)
    const failing = r.stdout.indexOf('failing tests:')
    assert.ok(failing > 0, r.stdout)
    assert.match(r.stdout.slice(failing), /✖ fails[^]*one is not two[^]*1 !== 2/)
    assert.ok(lines.length < 80, `short: ${lines.length} lines`)
  })

  it('is what `npm test` runs', async () => {
    const {readFileSync} = await import('node:fs')
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {scripts: {test: string}}
    assert.match(pkg.scripts.test, /--test-reporter=\.\/scripts\/test-reporter\.mjs /)
  })
})
