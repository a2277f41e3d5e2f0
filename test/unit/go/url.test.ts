import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {goEscapePath as apiEscapePath, goUnescape, parseGoQuery} from '../../../src/api/query.js'
import {goEscapePath, goPathUnescape, goQueryUnescape} from '../../../src/go/url.js'
import {OptsError} from '../../../src/opts/errors.js'

// url.PathUnescape / QueryUnescape / escape(encodePath), once: the API's query and path decoding
// calls the same code as url.Parse.
describe('go/url', () => {
  it('PathUnescape and QueryUnescape', () => {
    const cases: Array<[string, string, string]> = [
      ['plain', 'plain', 'plain'],
      ['a+b', 'a+b', 'a b'],
      ['%41%2f%2F', 'A//', 'A//'],
      ['%C3%A9', 'é', 'é'],
      ['%25', '%', '%'],
      ['%ff', '\uFFFD', '\uFFFD'],
    ]
    for (const [s, path, query] of cases) {
      assert.equal(goPathUnescape(s), path, s)
      assert.equal(goQueryUnescape(s), query, s)
      assert.equal(goUnescape(s, false), path, s)
      assert.equal(goUnescape(s, true), query, s)
    }
  })

  it("EscapeError: Go quotes the bytes it cut, so a non-ASCII character reads as itself or \\x", () => {
    const cases: Array<[string, string]> = [
      ['%', 'invalid URL escape "%"'],
      ['%4', 'invalid URL escape "%4"'],
      ['%zz1', 'invalid URL escape "%zz"'],
      // The API's copy quoted these bytes as Latin-1 (`"%Ã©"`).
      ['%é', 'invalid URL escape "%é"'],
      ['%zé', 'invalid URL escape "%z\\xc3"'],
    ]
    for (const [s, message] of cases) {
      assert.throws(() => goPathUnescape(s), (error: unknown) => error instanceof OptsError && error.message === message, s)
      assert.throws(() => goQueryUnescape(s), {message}, s)
      const r = goUnescape(s, true)
      assert.ok(r instanceof Error && r.message === message, s)
      assert.equal(parseGoQuery(`k=${s}`).error, message, s)
    }
  })

  it('escape(path, encodePath)', () => {
    assert.equal(apiEscapePath, goEscapePath)
    const cases: Array<[string, string]> = [
      ['/_ping', '/_ping'],
      ['/a b?c', '/a%20b%3Fc'],
      ["/$&+,/:;=@-_.~!*()'", "/$&+,/:;=@-_.~%21%2A%28%29%27"],
      ['/é', '/%C3%A9'],
    ]
    for (const [path, want] of cases) assert.equal(goEscapePath(path), want, path)
  })
})
