import assert from 'node:assert/strict'
import {readFileSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {loadOrCreateEngineID, randomUUID} from '../../../src/daemon/engine-id.js'
import {tempDir} from './helpers.js'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('engine-id (TestConfigDaemonID)', {timeout: 10_000}, () => {
  it('randomUUID: version 4, RFC 4122 variant, no two alike over 2,000 draws', () => {
    const ids = Array.from({length: 2000}, () => randomUUID())
    for (const id of ids) assert.match(id, UUID_V4)
    assert.equal(new Set(ids).size, ids.length)
  })

  it('creates a UUID v4 file 0600, then reuses it', () => {
    const t = tempDir()
    try {
      const id = loadOrCreateEngineID(t.dir)
      assert.match(id, UUID_V4)
      const path = join(t.dir, 'engine-id')
      assert.equal(readFileSync(path, 'utf8'), id)
      assert.equal(statSync(path).mode & 0o777, 0o600)
      assert.equal(loadOrCreateEngineID(t.dir), id)
    } finally {
      t.remove()
    }
  })

  it('uses an operator-written ID (trimmed), recreates a deleted or empty one', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'engine-id')
      writeFileSync(path, 'this-is-the-engine-id\n')
      assert.equal(loadOrCreateEngineID(t.dir), 'this-is-the-engine-id')
      unlinkSync(path)
      const id = loadOrCreateEngineID(t.dir)
      assert.match(id, UUID_V4)
      assert.equal(readFileSync(path, 'utf8'), id)
      writeFileSync(path, '  \n')
      assert.match(loadOrCreateEngineID(t.dir), UUID_V4)
    } finally {
      t.remove()
    }
  })

  it('a missing data root is an error naming the file', () => {
    const t = tempDir()
    try {
      const root = join(t.dir, 'nope')
      assert.throws(() => loadOrCreateEngineID(root), {
        message: `failed to create engine ID: open ${join(root, 'engine-id')}: no such file or directory`,
      })
    } finally {
      t.remove()
    }
  })
})
