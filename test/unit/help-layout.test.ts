import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {defaultSuffix, helpWidth, renderRows, wrapWords} from '../../src/help-layout.js'

describe('help layout', () => {
  const wraps: Array<[string, number, string[]]> = [
    ['', 10, ['']],
    ['one two three', 7, ['one two', 'three']],
    ['one two three', 3, ['one', 'two', 'three']],
    ['averyveryverylongword x', 5, ['averyveryverylongword', 'x']],
    ['a  b', 10, ['a b']],
    ['first\nsecond line', 6, ['first', 'second', 'line']],
  ]
  for (const [text, width, want] of wraps) it(`wrapWords(${JSON.stringify(text)}, ${width})`, () => assert.deepEqual(wrapWords(text, width), want))

  it('wrapWords keeps every word, in order, and no line over the width but a long word', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,12}$/), {maxLength: 30}), fc.integer({max: 40, min: 1}), (words, width) => {
        const lines = wrapWords(words.join(' '), width)
        assert.deepEqual(lines.join(' ').split(' ').filter(Boolean), words)
        for (const l of lines) assert.ok(l.length <= width || !l.includes(' '), l)
      }),
    )
  })

  it('renderRows aligns the second column and wraps it to the width less the indentation', () => {
    const rows: Array<[string, string]> = [
      ['-D, --debug', 'Enable debug mode'],
      ['    --data-root=string', 'Root directory of persistent Docker state (default "/var/lib/docker")'],
    ]
    assert.equal(
      renderRows(rows, 60, 2),
      [
        '-D, --debug             Enable debug mode',
        '    --data-root=string  Root directory of persistent',
        '                        Docker state (default',
        '                        "/var/lib/docker")',
      ].join('\n'),
    )
  })

  const suffixes: Array<[Parameters<typeof defaultSuffix>[0], unknown, string]> = [
    [{kind: 'string'}, '/var/lib/docker', ' (default "/var/lib/docker")'],
    [{kind: 'string'}, '', ''],
    [{kind: 'bool'}, true, ' (default true)'],
    [{kind: 'bool'}, false, ''],
    [{defaultHelp: '~/.docker/ca.pem', kind: 'string'}, '/root/.docker/ca.pem', ' (default "~/.docker/ca.pem")'],
  ]
  for (const [entry, value, want] of suffixes) it(`defaultSuffix(${JSON.stringify(entry)}, ${JSON.stringify(value)})`, () => assert.equal(defaultSuffix(entry, value), want))

  const notTty = {isTTY: false} as NodeJS.WriteStream
  const tty = (columns: number) => ({getWindowSize: () => [columns, 24], isTTY: true}) as unknown as NodeJS.WriteStream
  const widths: Array<[string, NodeJS.ProcessEnv, NodeJS.WriteStream, number]> = [
    ['a pipe', {}, notTty, 80],
    ['OCLIF_COLUMNS', {OCLIF_COLUMNS: '132'}, tty(50), 132],
    ['a terminal', {}, tty(120), 120],
    ['a narrow terminal', {}, tty(20), 40],
    ['a terminal of unknown width', {}, tty(0), 80],
  ]
  for (const [name, env, stdout, want] of widths) it(`helpWidth: ${name}`, () => assert.equal(helpWidth(env, stdout), want))
})
