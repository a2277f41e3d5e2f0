import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {dispatch, reexecName} from '../../../src/reexec/dispatch.js'
import {register} from '../../../src/reexec/registry.js'

register('test-one', async () => () => {})
register('test-two', async () => () => {})

describe('reexecName', () => {
  const table: Array<[name: string, argv0: string, env: NodeJS.ProcessEnv, want: string | undefined]> = [
    ['exact argv0', 'test-one', {}, 'test-one'],
    ['argv0 wins over env', 'test-one', {DOCKERD_REEXEC: 'test-two'}, 'test-one'],
    ['env fallback', 'node', {DOCKERD_REEXEC: 'test-two'}, 'test-two'],
    ['env fallback with an unregistered argv0 path', '/usr/bin/dockerd', {DOCKERD_REEXEC: 'test-one'}, 'test-one'],
    ['no basename match (current moby)', '/usr/libexec/test-one', {}, undefined],
    ['no relative-path match', './test-one', {}, undefined],
    ['case matters', 'Test-One', {}, undefined],
    ['no prefix match', 'test-on', {}, undefined],
    ['unregistered env value', 'node', {DOCKERD_REEXEC: 'nope'}, undefined],
    ['empty env value', 'node', {DOCKERD_REEXEC: ''}, undefined],
    ['nothing', 'dockerd', {}, undefined],
  ]
  for (const [name, argv0, env, want] of table) {
    it(name, () => assert.equal(reexecName(argv0, env), want))
  }

  it('defaults to process.argv0 and process.env', () => {
    assert.equal(reexecName(), undefined)
  })
})

describe('dispatch', () => {
  let saved: string | undefined
  let stderr: string[]
  let restore: () => void

  beforeEach(() => {
    saved = process.env.DOCKERD_REEXEC
    stderr = []
    const write = process.stderr.write
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    restore = () => {
      process.stderr.write = write
    }
  })

  afterEach(() => {
    restore()
    if (saved === undefined) delete process.env.DOCKERD_REEXEC
    else process.env.DOCKERD_REEXEC = saved
  })

  it('deletes DOCKERD_REEXEC before the initializer runs and passes the args', async () => {
    let seen: {env: string | undefined; args: string[]} | undefined
    register('test-env', async () => args => {
      seen = {env: process.env.DOCKERD_REEXEC, args}
      return 7
    })
    process.env.DOCKERD_REEXEC = 'test-env'
    assert.equal(await dispatch('test-env', ['--x', 'a b']), 7)
    assert.deepEqual(seen, {env: undefined, args: ['--x', 'a b']})
    assert.equal('DOCKERD_REEXEC' in process.env, false)
    assert.deepEqual(stderr, [])
  })

  const results: Array<[name: string, init: () => unknown, code: number, message?: string]> = [
    ['void → 0', () => {}, 0],
    ['number → itself', () => 3, 3],
    ['zero → 0', () => 0, 0],
    ['async number', async () => 42, 42],
    ['async void → 0', async () => {}, 0],
    ['throw → 1', () => {
      throw new Error('simulated failure')
    }, 1, 'entrypoint failed: test-r5: simulated failure\n'],
    ['rejection → 1', async () => {
      throw new Error('async failure')
    }, 1, 'entrypoint failed: test-r6: async failure\n'],
    ['non-Error throw → 1', () => {
      throw 'plain' // eslint-disable-line no-throw-literal
    }, 1, 'entrypoint failed: test-r7: plain\n'],
    ['non-integer result → 1', () => 1.5, 1, 'entrypoint failed: test-r8: invalid exit status: 1.5\n'],
  ]
  for (const [i, [name, init, code, message]] of results.entries()) {
    it(name, async () => {
      const id = `test-r${i}`
      register(id, async () => init as () => number)
      assert.equal(await dispatch(id, []), code)
      assert.deepEqual(stderr, message === undefined ? [] : [message])
    })
  }

  it('a failing loader → 1 with its message', async () => {
    register('test-badload', async () => {
      throw new Error('Cannot find module x')
    })
    assert.equal(await dispatch('test-badload', []), 1)
    assert.deepEqual(stderr, ['entrypoint failed: test-badload: Cannot find module x\n'])
  })

  it('an unregistered name → 1', async () => {
    assert.equal(await dispatch('test-missing', []), 1)
    assert.deepEqual(stderr, ['entrypoint failed: test-missing: no reexec func registered under name "test-missing"\n'])
  })
})
