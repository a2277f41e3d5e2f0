import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import * as go from '../../../src/go/index.js'
import {pluginHelpers} from '../../../src/plugins/helpers.js'

describe('pluginHelpers (PluginContext.helpers)', () => {
  it('lends every Go-compatibility function of src/go, the very same functions', () => {
    for (const [name, value] of Object.entries(go)) assert.equal((pluginHelpers as Record<string, unknown>)[name], value, name)
  })

  it('words a system error as Go does and quotes as strconv.Quote', () => {
    const error = Object.assign(new Error('ENOENT: no such file or directory, open x'), {code: 'ENOENT'})
    assert.equal(pluginHelpers.errnoText(error), 'no such file or directory')
    assert.equal(pluginHelpers.goQuote('a"b\u0007'), '"a\\"b\\a"')
  })

  it('cannot be changed by one plugin under another', () => {
    assert.ok(Object.isFrozen(pluginHelpers))
  })
})
