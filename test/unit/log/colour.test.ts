import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {colourPossible} from '../../../src/log/colour.js'

describe('colourPossible (whether supports-color must be asked about stderr)', () => {
  const table: Array<[string, NodeJS.ProcessEnv, string[], boolean, boolean]> = [
    ['a pipe or file, nothing set', {TERM: 'xterm-256color'}, ['node', 'run.js', '-D'], false, false],
    ['a terminal', {}, ['node', 'run.js'], true, true],
    ['FORCE_COLOR without a terminal', {FORCE_COLOR: '1'}, ['node', 'run.js'], false, true],
    ['FORCE_COLOR=0 (supports-color decides: none)', {FORCE_COLOR: '0'}, ['node', 'run.js'], false, true],
    ['an empty FORCE_COLOR', {FORCE_COLOR: ''}, ['node', 'run.js'], false, true],
    ['Azure Pipelines', {AGENT_NAME: 'a', TF_BUILD: 'True'}, ['node', 'run.js'], false, true],
    ['TF_BUILD alone', {TF_BUILD: 'True'}, ['node', 'run.js'], false, false],
    ['CI without a terminal', {CI: 'true', GITHUB_ACTIONS: 'true'}, ['node', 'run.js'], false, false],
    ['a --color argument', {}, ['node', 'run.js', '--color=256'], false, true],
    ['a --colors argument', {}, ['node', 'run.js', '--colors'], false, true],
  ]
  for (const [name, env, argv, tty, want] of table) {
    it(`${name}: ${want}`, () => {
      let asked = false
      const possible = colourPossible(env, argv, () => {
        asked = true
        return tty
      })
      assert.equal(possible, want)
      // The terminal is asked last: the environment alone can say yes.
      if (!want) assert.equal(asked, true)
    })
  }
})

describe('stderrIsTTY', () => {
  it('agrees with node:tty for stderr as given: a pipe, /dev/null, a file, a terminal when there is one', async () => {
    const {spawnSync} = await import('node:child_process')
    const {mkdtempSync, openSync, rmSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'colour-'))
    const file = openSync(join(dir, 'err'), 'w')
    const script = `import {stderrIsTTY} from ${JSON.stringify(new URL('../../../src/log/colour.ts', import.meta.url).href)}; import {isatty} from 'node:tty'; console.log(JSON.stringify([stderrIsTTY(), isatty(2)]))`
    try {
      for (const stderr of ['pipe', 'ignore', file, 'inherit'] as const) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {encoding: 'utf8', stdio: ['ignore', 'pipe', stderr]})
        const [ours, node] = JSON.parse(r.stdout) as [boolean, boolean]
        assert.equal(ours, node, `stderr ${String(stderr)}`)
      }
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  })
})
