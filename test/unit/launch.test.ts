import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {fastHelpEligible, fastStartEligible, hasInstalledPlugins, wantsHelp} from '../../src/launch.js'

describe('launch decisions', () => {
  const help: Array<[string[], boolean]> = [
    [['--help'], true],
    [['-h'], true],
    [['-Dh'], true],
    [['--debug', '-h'], true],
    [['--', '-h'], false],
    [['-H', 'unix:///home/x.sock'], false],
    [['--host', 'x'], false],
    [[], false],
  ]
  for (const [argv, want] of help) it(`wantsHelp(${JSON.stringify(argv)}) = ${want}`, () => assert.equal(wantsHelp(argv), want))

  it('installed plugins and DOCKERD_OCLIF send the start through oclif', () => {
    const dir = mkdtempSync(join(tmpdir(), 'launch-'))
    try {
      const env = {DOCKERD_DATA_DIR: dir}
      assert.equal(hasInstalledPlugins(env), false)
      assert.equal(fastStartEligible(['--debug'], env), true)
      assert.equal(fastStartEligible(['plugins', 'ls'], env), false)
      assert.equal(fastStartEligible(['--debug'], {...env, DOCKERD_OCLIF: '1'}), false)
      writeFileSync(join(dir, 'package.json'), '{"oclif":{"plugins":[]}}')
      assert.equal(hasInstalledPlugins(env), false)
      writeFileSync(join(dir, 'package.json'), '{"oclif":{"plugins":[{"name":"x","type":"user","tag":"1.0.0"}]}}')
      assert.equal(hasInstalledPlugins(env), true)
      assert.equal(fastStartEligible(['--debug'], env), false)
      assert.equal(fastHelpEligible(['--help'], env), false, 'their flags are in the help only oclif renders')
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  })

  const fastHelp: Array<[string[], NodeJS.ProcessEnv, boolean]> = [
    [['--help'], {}, true],
    [['-h'], {}, true],
    [['-Dh'], {}, false],
    [['--debug', '--help'], {}, false],
    [['--help', 'x'], {}, false],
    [[], {}, false],
    [['--help'], {DOCKERD_OCLIF: '1'}, false],
  ]
  for (const [argv, env, want] of fastHelp) {
    it(`fastHelpEligible(${JSON.stringify(argv)}, ${JSON.stringify(env)}) = ${want}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'launch-'))
      try {
        assert.equal(fastHelpEligible(argv, {DOCKERD_DATA_DIR: dir, ...env}), want)
      } finally {
        rmSync(dir, {force: true, recursive: true})
      }
    })
  }
})
