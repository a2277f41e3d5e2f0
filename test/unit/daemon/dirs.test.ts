import assert from 'node:assert/strict'
import {existsSync, mkdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {ensureDir, ensureDirSync, errnoText, goPathError, rollbackDirs} from '../../../src/daemon/dirs.js'
import {tempDir} from './helpers.js'

describe('ensureDir / rollbackDirs', {timeout: 10_000}, () => {
  it('creates the missing chain with the mode and reports it outermost first', async () => {
    const t = tempDir()
    try {
      const leaf = join(t.dir, 'a', 'b', 'c')
      const created = await ensureDir(leaf, 0o700)
      assert.deepEqual(created, [join(t.dir, 'a'), join(t.dir, 'a', 'b'), leaf])
      for (const d of created) assert.equal(statSync(d).mode & 0o777, 0o700)
      assert.deepEqual(await ensureDir(leaf, 0o700), [])
      rollbackDirs(created)
      assert.equal(existsSync(join(t.dir, 'a')), false)
      rollbackDirs(created) // idempotent
    } finally {
      t.remove()
    }
  })

  it('sync twin behaves the same', () => {
    const t = tempDir()
    try {
      const leaf = join(t.dir, 'x', 'y')
      const created = ensureDirSync(leaf, 0o711)
      assert.deepEqual(created, [join(t.dir, 'x'), leaf])
      assert.equal(statSync(leaf).mode & 0o777, 0o711)
      rollbackDirs(created)
      assert.equal(existsSync(join(t.dir, 'x')), false)
    } finally {
      t.remove()
    }
  })

  it('rollback keeps directories someone filled meanwhile', async () => {
    const t = tempDir()
    try {
      const created = await ensureDir(join(t.dir, 'a', 'b'), 0o755)
      writeFileSync(join(t.dir, 'a', 'keep'), '')
      rollbackDirs(created)
      assert.equal(existsSync(join(t.dir, 'a', 'b')), false)
      assert.equal(existsSync(join(t.dir, 'a', 'keep')), true)
    } finally {
      t.remove()
    }
  })

  it('a file in the way is a Go-style mkdir error and nothing is left', async () => {
    const t = tempDir()
    try {
      const file = join(t.dir, 'f')
      writeFileSync(file, '')
      await assert.rejects(ensureDir(file, 0o755), {message: `mkdir ${file}: not a directory`})
      await assert.rejects(ensureDir(join(file, 'sub'), 0o755), {message: `mkdir ${join(file, 'sub')}: not a directory`})
      assert.throws(() => ensureDirSync(join(file, 'sub'), 0o755), {message: `mkdir ${join(file, 'sub')}: not a directory`})
      mkdirSync(join(t.dir, 'ok'))
      assert.deepEqual(await ensureDir(join(t.dir, 'ok'), 0o755), [])
    } finally {
      t.remove()
    }
  })

  it('errnoText / goPathError speak Go', () => {
    const enoent = Object.assign(new Error('x'), {code: 'ENOENT'})
    assert.equal(errnoText(enoent), 'no such file or directory')
    assert.equal(goPathError('open', '', enoent), 'open : no such file or directory')
    assert.equal(errnoText(new Error('plain')), 'plain')
  })
})
