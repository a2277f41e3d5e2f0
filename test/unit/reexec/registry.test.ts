import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {loaderOf, names, register, registered} from '../../../src/reexec/registry.js'

describe('registry', () => {
  it('registers lazily: the loader is not called at registration', () => {
    let loads = 0
    register('test-lazy', async () => {
      loads++
      return () => 0
    })
    assert.equal(registered('test-lazy'), true)
    assert.equal(loads, 0)
    assert.equal(typeof loaderOf('test-lazy'), 'function')
  })

  it('throws the moby text on a second registration of a name', () => {
    register('test-reexec', async () => () => {})
    assert.throws(() => register('test-reexec', async () => () => {}), {
      message: 'reexec func already registered under name "test-reexec"',
    })
  })

  it('reports unknown names as unregistered', () => {
    assert.equal(registered('test-unknown'), false)
    assert.equal(loaderOf('test-unknown'), undefined)
  })

  it('lists names sorted', () => {
    register('test-b', async () => () => {})
    register('test-a', async () => () => {})
    const listed = names().filter(n => n === 'test-a' || n === 'test-b')
    assert.deepEqual(listed, ['test-a', 'test-b'])
    assert.deepEqual(names(), [...names()].sort())
  })

  it('registers the built-in dockerd-selftest when builtin is imported', async () => {
    await import('../../../src/reexec/builtin.js')
    assert.equal(registered('dockerd-selftest'), true)
    const selftest = await loaderOf('dockerd-selftest')!()
    assert.equal(typeof selftest, 'function')
  })
})
