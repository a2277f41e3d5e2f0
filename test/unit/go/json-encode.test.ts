import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {goJson} from '../../../src/api/respond.js'
import {goJSONMarshal, goJSONString} from '../../../src/go/json.js'
import {formatJSON} from '../../../src/log/format.js'

// Go's encoding/json escaping, once: the API responses (HTML escaping off), the reload event's
// attributes and logrus's JSON formatter (HTML escaping on) all call it.
describe('go/json', () => {
  it('escaping, HTML on and off', () => {
    const cases: Array<[unknown, string, string]> = [
      ['a<b>&c', '"a\\u003cb\\u003e\\u0026c"', '"a<b>&c"'],
      ['\u2028\u2029', '"\\u2028\\u2029"', '"\\u2028\\u2029"'],
      ['tab\t"q"\\', '"tab\\t\\"q\\"\\\\"', '"tab\\t\\"q\\"\\\\"'],
      ['\u0001', '"\\u0001"', '"\\u0001"'],
      ['😀', '"😀"', '"😀"'],
      // Lone surrogates are invalid UTF-8 to Go: written as the escape text \ufffd.
      ['x\uD800y', '"x\\ufffdy"', '"x\\ufffdy"'],
      ['\uDC00', '"\\ufffd"', '"\\ufffd"'],
      // A literal backslash followed by `ud800` is text, not an escape.
      ['\\ud800', '"\\\\ud800"', '"\\\\ud800"'],
      ['\\\uD800', '"\\\\\\ufffd"', '"\\\\\\ufffd"'],
      [{'k<\uD800': ['&']}, '{"k\\u003c\\ufffd":["\\u0026"]}', '{"k<\\ufffd":["&"]}'],
      [undefined, 'null', 'null'],
    ]
    for (const [value, html, plain] of cases) {
      assert.equal(goJSONMarshal(value), html, JSON.stringify(value))
      assert.equal(goJSONMarshal(value, false), plain, JSON.stringify(value))
      assert.equal(goJson(value, true), html)
      assert.equal(goJson(value), plain)
      if (typeof value === 'string') assert.equal(goJSONString(value), html)
    }
  })

  it("logrus's JSON formatter escapes strings the same way", () => {
    const line = formatJSON({fields: {k: '<\uD800>'}, level: 'info', msg: 'a&b', time: 't'} as never)
    assert.ok(line.includes('"msg":"a\\u0026b"'), line)
    assert.ok(line.includes('"k":"\\u003c\\ufffd\\u003e"'), line)
  })
})
