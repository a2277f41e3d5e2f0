import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {progress} from '../../../src/log/progress.js'

function sink(isTTY: boolean) {
  const out: string[] = []
  return {columns: 40, isTTY, out, write: (t: string) => out.push(t)}
}

describe('progress', () => {
  it('not a TTY: one plain line per new step and one at the end, nothing after it', () => {
    const s = sink(false)
    const p = progress('Installing plugin x', s)
    p.step('unpacking')
    p.step('unpacking')
    p.step('checking')
    p.done('installed x v1.0.0')
    p.step('late')
    p.fail('late')
    assert.deepEqual(s.out, ['Installing plugin x: unpacking\n', 'Installing plugin x: checking\n', 'Installing plugin x: installed x v1.0.0\n'])
    assert.doesNotMatch(s.out.join(''), /\u001B|\r/)
  })

  it('a TTY: one line redrawn in place, cut to the width, then the outcome on a clean line', () => {
    const s = sink(true)
    const p = progress('dist: packing the linux-x64 tarball', s, 60_000)
    p.step('a step with a very long description that does not fit')
    p.fail('failed')
    const draws = s.out.slice(0, -1)
    assert.ok(draws.length >= 2)
    for (const d of draws) {
      assert.ok(d.startsWith('\r\u001B[2K'), JSON.stringify(d))
      assert.ok(d.length - '\r\u001B[2K'.length <= 39, JSON.stringify(d))
    }

    assert.equal(s.out.at(-1), '\r\u001B[2Kdist: packing the linux-x64 tarball: failed\n')
  })

  it('a TTY without a size (columns 0) is taken as 80 wide, not cut to nothing', () => {
    const s = {...sink(true), columns: 0}
    progress('Installing plugin ./a-directory-with-a-long-name', s, 60_000).step('checking the package')
    assert.match(s.out.at(-1)!, /^\r\u001B\[2K⠙ Installing plugin \.\/a-directory-with-a-long-name: checking the package \(\d+ s\)$/)
  })
})
