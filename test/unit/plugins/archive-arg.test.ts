import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {localArchive, localDirectory} from '../../../src/plugins/install/archive-arg.js'

describe('plugins install arguments: local archive, local directory, or npm', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dd-arg-'))
  mkdirSync(join(cwd, 'sub', 'dir'), {recursive: true})
  after(() => rmSync(cwd, {force: true, recursive: true}))

  // [argument, archive, directory] (paths relative to cwd; undefined: npm's)
  const table: Array<[string, string | undefined, string | undefined]> = [
    ['./x.tgz', 'x.tgz', undefined],
    ['x-1.0.0.tar.gz', 'x-1.0.0.tar.gz', undefined],
    ['.', undefined, ''],
    ['..', undefined, '..'],
    ['./some-dir', undefined, 'some-dir'],
    ['../other', undefined, '../other'],
    ['sub/dir', undefined, 'sub/dir'],
    ['sub/missing', undefined, undefined], // a GitHub slug, as plugin-plugins reads it
    ['dockerd-hello', undefined, undefined],
    ['dockerd-hello@1.2.0', undefined, undefined],
    ['@scope/plugin', undefined, undefined],
    ['https://example.invalid/x.tgz', undefined, undefined],
    ['git+ssh://git@example.invalid/x.git', undefined, undefined],
    ['file:./sub/dir', undefined, undefined], // npm links a file: directory
  ]
  for (const [arg, archive, directory] of table) {
    it(`${arg} → ${archive === undefined ? (directory === undefined ? 'npm' : 'directory') : 'archive'}`, () => {
      assert.equal(localArchive(arg, cwd), archive === undefined ? undefined : join(cwd, archive))
      assert.equal(localDirectory(arg, cwd), directory === undefined ? undefined : join(cwd, directory))
    })
  }

  it('an absolute path is a directory whatever it holds', () => {
    assert.equal(localDirectory('/nonexistent/plugin', cwd), '/nonexistent/plugin')
  })
})
