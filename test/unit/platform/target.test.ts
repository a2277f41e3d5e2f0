import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {docOs} from '../../../src/docs/markdown.js'
import {goos, type TargetPlatform} from '../../../src/platform/target.js'

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
})
