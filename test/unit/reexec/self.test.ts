import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {after, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {naiveSelf, runScript, self} from '../../../src/reexec/self.js'

const dir = mkdtempSync(join(tmpdir(), 'reexec-self-'))
after(() => rmSync(dir, {recursive: true, force: true}))
writeFileSync(join(dir, 'some-tool'), '#!/bin/sh\n')
chmodSync(join(dir, 'some-tool'), 0o755)
writeFileSync(join(dir, 'not-exec'), '')
chmodSync(join(dir, 'not-exec'), 0o644)

describe('self', () => {
  it('is /proc/self/exe on Linux', {skip: process.platform !== 'linux' && 'Linux only'}, () => {
    assert.equal(self(), '/proc/self/exe')
  })

  const env = {PATH: `/nonexistent::${dir}`}
  const table: Array<[name: string, argv0: string, want: string]> = [
    ['bare name found on PATH', 'some-tool', join(dir, 'some-tool')],
    ['bare name not on PATH → abs', 'some-nonexistent-executable', '/work/cwd/some-nonexistent-executable'],
    ['non-executable file is skipped', 'not-exec', '/work/cwd/not-exec'],
    ['relative path → abs', './some-executable', '/work/cwd/some-executable'],
    ['path with directory is not looked up', 'bin/some-tool', '/work/cwd/bin/some-tool'],
    ['absolute path unchanged', '/opt/x/dockerd', '/opt/x/dockerd'],
  ]
  for (const [name, argv0, want] of table) {
    it(`naiveSelf: ${name}`, {skip: process.platform === 'win32' && 'POSIX paths'}, () => {
      assert.equal(naiveSelf(argv0, env, '/work/cwd', 'linux'), want)
    })
  }

  it('naiveSelf finds sh on the real PATH', {skip: process.platform === 'win32' && 'POSIX only'}, () => {
    const found = naiveSelf('sh', process.env)
    assert.notEqual(found, 'sh')
    assert.ok(found.startsWith('/'))
  })

  it('runScript is <package root>/bin/run.js', () => {
    assert.equal(runScript(), resolve(fileURLToPath(new URL('../../../bin/run.js', import.meta.url))))
  })
})
