import assert from 'node:assert/strict'
import {readFileSync, readdirSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, it} from 'node:test'

const SRC = join(import.meta.dirname, '..', '..', '..', 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

// Hooks, command and daemon share module state by being one module graph (the oclif bundle and
// its chunks), not through process-wide symbols: state on globalThis hides who sets and reads it.
describe('no process-wide state in src/', () => {
  it('no module reads or writes globalThis or registers a global symbol', () => {
    const found = sources(SRC).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => /\bglobalThis\b|Symbol\.for\(/.test(line.replace(/\/\/.*$/, '')))
        .map(([line, i]) => `${relative(SRC, file)}:${i + 1}: ${line.trim()}`),
    )
    assert.deepEqual(found, [])
  })
})
