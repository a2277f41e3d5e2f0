import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {createPidfile, parsePid, processAlive} from '../../../src/daemon/pidfile.js'
import {tempDir} from './helpers.js'

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0'], {timeout: 10_000})
  assert.ok(r.pid)
  return r.pid
}

describe('pidfile', {timeout: 20_000}, () => {
  it('parsePid follows pkg/pidfile.Read', () => {
    const table: Array<[string, number]> = [
      ['123', 123],
      ['123\n', 123],
      ['  42 \n', 42],
      ['', 0],
      ['0', 0],
      ['notanumber', 0],
      ['12abc', 0],
      ['-5', 0],
    ]
    for (const [content, want] of table) assert.equal(parsePid(content), want, JSON.stringify(content))
  })

  it('processAlive: self and pid 1 are alive, an exited child is not', () => {
    assert.equal(processAlive(process.pid), true)
    assert.equal(processAlive(1), true)
    assert.equal(processAlive(deadPid()), false)
  })

  it('writes our pid without a newline, mode 0644, and removes it', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'docker.pid')
      const pf = await createPidfile(path)
      assert.equal(pf.path, path)
      assert.equal(readFileSync(path, 'utf8'), String(process.pid))
      assert.equal(statSync(path).mode & 0o777, 0o644)
      pf.remove()
      assert.equal(existsSync(path), false)
      pf.remove() // idempotent
      pf.cleanup()
    } finally {
      t.remove()
    }
  })

  for (const [label, content] of [
    ['without newline', `${process.ppid}`],
    ['with trailing newline', `${process.ppid}\n`],
    ['pid 1', '1'],
  ] as const) {
    it(`refuses a live pid (${label}) and leaves the file untouched`, async () => {
      const t = tempDir()
      try {
        const path = join(t.dir, 'docker.pid')
        writeFileSync(path, content, {mode: 0o600})
        const before = statSync(path)
        await assert.rejects(createPidfile(path), {
          message: `pid file found, ensure docker is not running or delete ${path}`,
        })
        assert.equal(readFileSync(path, 'utf8'), content)
        const after = statSync(path)
        assert.equal(after.mtimeMs, before.mtimeMs)
        assert.equal(after.mode & 0o777, 0o600)
      } finally {
        t.remove()
      }
    })
  }

  it('refuses when the file holds our own pid (second start in one process)', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'docker.pid')
      const pf = await createPidfile(path)
      await assert.rejects(createPidfile(path), /pid file found, ensure docker is not running or delete/)
      pf.remove()
    } finally {
      t.remove()
    }
  })

  for (const [label, content] of [
    ['a dead pid', () => String(deadPid())],
    ['a dead pid with newline', () => `${deadPid()}\n`],
    ['garbage', () => 'notanumber'],
    ['0', () => '0'],
    ['an empty file', () => ''],
  ] as const) {
    it(`overwrites a stale file holding ${label}, fixing its mode`, async () => {
      const t = tempDir()
      try {
        const path = join(t.dir, 'docker.pid')
        writeFileSync(path, content(), {mode: 0o600})
        const pf = await createPidfile(path)
        assert.equal(readFileSync(path, 'utf8'), String(process.pid))
        assert.equal(statSync(path).mode & 0o777, 0o644)
        pf.remove()
        assert.equal(existsSync(path), false)
      } finally {
        t.remove()
      }
    })
  }

  it('creates missing parent directories 0755 and removes them again', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'a', 'b', 'docker.pid')
      const pf = await createPidfile(path)
      assert.equal(statSync(join(t.dir, 'a')).mode & 0o777, 0o755)
      assert.equal(statSync(join(t.dir, 'a', 'b')).mode & 0o777, 0o755)
      pf.remove()
      assert.equal(existsSync(join(t.dir, 'a')), false)
      assert.equal(existsSync(t.dir), true)
    } finally {
      t.remove()
    }
  })

  it('keeps a created directory that is no longer empty', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'run', 'docker.pid')
      const pf = await createPidfile(path)
      writeFileSync(join(t.dir, 'run', 'other'), 'x')
      pf.remove()
      assert.equal(existsSync(path), false)
      assert.equal(existsSync(join(t.dir, 'run', 'other')), true)
    } finally {
      t.remove()
    }
  })

  it('remove() leaves a file that no longer holds our pid', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'docker.pid')
      const pf = await createPidfile(path)
      writeFileSync(path, '999999')
      pf.remove()
      assert.equal(readFileSync(path, 'utf8'), '999999')
    } finally {
      t.remove()
    }
  })

  it('a write error names the file and leaves no directory behind', async () => {
    const t = tempDir()
    try {
      const dirAsPidfile = join(t.dir, 'docker.pid')
      mkdirSync(dirAsPidfile)
      await assert.rejects(createPidfile(dirAsPidfile), {message: `open ${dirAsPidfile}: is a directory`})

      const blocker = join(t.dir, 'file')
      writeFileSync(blocker, '')
      const under = join(blocker, 'sub', 'docker.pid')
      await assert.rejects(createPidfile(under), {message: `mkdir ${join(blocker, 'sub')}: not a directory`})
    } finally {
      t.remove()
    }
  })
})
