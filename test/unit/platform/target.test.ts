import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative, sep} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {docOs} from '../../../src/docs/markdown.js'
import {goos, hostPlatform, type TargetPlatform, targetPlatform} from '../../../src/platform/target.js'

const SRC = fileURLToPath(new URL('../../../src', import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|mts|cts|js|mjs)$/.test(e.name) ? [p] : []
  })
}

describe('platform/target', () => {
  it('GOOS of every target, in one table', () => {
    const cases: Array<[TargetPlatform, string]> = [
      ['linux', 'linux'],
      ['win32', 'windows'],
      ['freebsd', 'freebsd'],
      ['darwin', 'darwin'],
    ]
    for (const [platform, want] of cases) {
      assert.equal(goos(platform), want, platform)
      assert.equal(docOs({platform}), want, platform)
    }
  })

  it('the target OS: DOCKERD_TARGET_OS, else the host, unknown ones read as linux', () => {
    assert.equal(targetPlatform({DOCKERD_TARGET_OS: 'win32'}), 'win32')
    assert.equal(targetPlatform({DOCKERD_TARGET_OS: 'plan9'}), 'linux')
    const host = hostPlatform()
    assert.equal(targetPlatform({}), ['darwin', 'freebsd', 'linux', 'win32'].includes(host) ? host : 'linux')
  })

  it('nothing outside src/platform asks process.platform', () => {
    const offenders: string[] = []
    for (const file of sourceFiles(SRC)) {
      const rel = relative(SRC, file).split(sep).join('/')
      if (rel.startsWith('platform/')) continue
      const lines = readFileSync(file, 'utf8').split('\n')
      lines.forEach((line, i) => {
        if (line.includes('process.platform')) offenders.push(`src/${rel}:${i + 1}: ${line.trim()}`)
      })
    }

    assert.deepEqual(offenders, [], 'use hostPlatform() or targetPlatform() from src/platform/target.ts')
    assert.ok(sourceFiles(SRC).length > 50, 'the scan saw the source tree')
  })
  it('nothing outside src/platform compares against OS names: it asks the platform object', () => {
    // Files of other folders that still compare, each with why; the list shrinks, never grows.
    const EXCEPTIONS: Record<string, string> = {}
    const compares = /[!=]==\s*'(win32|linux|freebsd|darwin)'|'(win32|linux|freebsd|darwin)'\s*[!=]==|case\s+'(win32|linux|freebsd|darwin)'\s*:/
    const offenders: string[] = []
    const seen = new Set<string>()
    for (const file of sourceFiles(SRC)) {
      const rel = relative(SRC, file).split(sep).join('/')
      if (rel.startsWith('platform/')) continue
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!compares.test(line)) return
          if (Object.hasOwn(EXCEPTIONS, rel)) seen.add(rel)
          else offenders.push(`src/${rel}:${i + 1}: ${line.trim()}`)
        })
    }

    assert.deepEqual(offenders, [], 'ask the platform object (platformOf / currentPlatform in src/platform/platform.ts)')
    assert.deepEqual([...seen].sort(), Object.keys(EXCEPTIONS).sort(), 'an exception that no longer compares is removed from the list')
  })
})
