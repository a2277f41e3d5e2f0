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
