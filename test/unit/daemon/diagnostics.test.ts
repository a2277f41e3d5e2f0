import assert from 'node:assert/strict'
import {closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {dumpDiagnostics, type ReportFs} from '../../../src/daemon/diagnostics.js'
import {captureLog, tempDir} from './helpers.js'

describe('dumpDiagnostics (SIGUSR1)', () => {
  const at = new Date('2026-12-01T22:30:05.123Z')

  it('two reports in the same second get two files', () => {
    const t = tempDir()
    try {
      const log = captureLog()
      const a = dumpDiagnostics(t.dir, log, at)
      const b = dumpDiagnostics(t.dir, log, at)
      assert.equal(a, join(t.dir, 'dockerd-report-2026-12-01T223005Z.json'))
      assert.equal(b, join(t.dir, 'dockerd-report-2026-12-01T223005Z-1.json'))
      assert.deepEqual(readdirSync(t.dir).sort(), ['dockerd-report-2026-12-01T223005Z-1.json', 'dockerd-report-2026-12-01T223005Z.json'])
      const report = JSON.parse(readFileSync(b!, 'utf8')) as Record<string, unknown>
      assert.ok(report.header, 'a whole Node report')
      assert.equal(report.environmentVariables, undefined, 'never the environment')
    } finally {
      t.remove()
    }
  })

  it('a full disk leaves no file behind and says so in Go words, not Node wording', () => {
    const t = tempDir()
    try {
      const log = captureLog()
      const full: ReportFs = {
        closeSync,
        openSync,
        unlinkSync,
        writeSync: (fd, buf, off) => {
          if (off > 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC', syscall: 'write'})
          return writeSync(fd, buf, 0, 10)
        },
      }
      assert.equal(dumpDiagnostics(t.dir, log, at, full), undefined)
      assert.deepEqual(readdirSync(t.dir), [], 'no empty or partial report')
      const error = log.entries.find((e) => e.level === 'error')
      assert.equal(error?.msg, 'failed to write diagnostics report')
      assert.equal(error?.fields?.error, `write ${join(t.dir, 'dockerd-report-2026-12-01T223005Z.json')}: no space left on device`)
    } finally {
      t.remove()
    }
  })

  it('an unwritable directory is named', () => {
    const log = captureLog()
    assert.equal(dumpDiagnostics('/nonexistent-dir-for-report', log, at), undefined)
    assert.equal(log.entries.at(-1)?.fields?.error, 'open /nonexistent-dir-for-report/dockerd-report-2026-12-01T223005Z.json: no such file or directory')
  })
})
