import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {matchAcceptStrict, parseAccept} from '../../../src/api/accept.js'
import {goQuote} from '../../../src/api/goquote.js'
import {goEscapePath, goUnescape, parseGoQuery} from '../../../src/api/query.js'
import {nowUnixNano, parseUnixTimestamp} from '../../../src/api/timestamp.js'

describe('parseUnixTimestamp (moby TestParseUnixTimestamp)', {timeout: 5_000}, () => {
  const ok: [string, bigint][] = [
    ['1136073600', 1136073600_000000000n],
    ['1136073600.', 1136073600_000000000n],
    ['1136073600.0', 1136073600_000000000n],
    ['1136073600.000000001', 1136073600_000000001n],
    ['1136073600.0000000010', 1136073600_000000001n],
    ['1136073600.0000000001', 1136073600_000000000n],
    ['1136073600.0000000009', 1136073600_000000000n],
    ['1136073600.00000001', 1136073600_000000010n],
    ['1136073600.1', 1136073600_100000000n],
    ['0', 0n],
    ['-1.5', -500000000n],
    ['+7', 7_000000000n],
  ]
  for (const [input, want] of ok) {
    test(`${input} → ${want}`, () => assert.equal(parseUnixTimestamp(input), want))
  }
  test('empty means unset', () => assert.equal(parseUnixTimestamp(''), undefined))

  const bad: [string, string][] = [
    [' 1136073600 \t', 'invalid timestamp " 1136073600 \\t": invalid seconds " 1136073600 \\t": invalid syntax'],
    ['foo.bar', 'invalid timestamp "foo.bar": invalid seconds "foo": invalid syntax'],
    ['.0000000009', 'invalid timestamp ".0000000009": invalid seconds "": invalid syntax'],
    ['1136073600.bar', `invalid timestamp "1136073600.bar": invalid nanoseconds: invalid character 'b' at position 0`],
    ['1.123456789012345678901', 'invalid timestamp "1.123456789012345678901": invalid nanoseconds: length 21 exceeds maximum 20'],
    ['1.-5', `invalid timestamp "1.-5": invalid nanoseconds: invalid character '-' at position 0`],
    ['9223372036854775808', 'invalid timestamp "9223372036854775808": invalid seconds "9223372036854775808": value out of range'],
    ['2026-01-01T00:00:00Z', 'invalid timestamp "2026-01-01T00:00:00Z": invalid seconds "2026-01-01T00:00:00Z": invalid syntax'],
  ]
  for (const [input, message] of bad) {
    test(`rejects ${JSON.stringify(input)}`, () => assert.throws(() => parseUnixTimestamp(input), {message}))
  }
  test('nowUnixNano is wall-clock nanoseconds', () => {
    const ms = BigInt(Date.now())
    const ns = nowUnixNano()
    assert.ok(ns / 1_000_000n >= ms - 5n && ns / 1_000_000n <= ms + 5n)
  })
})

describe('goQuote (strconv.Quote)', {timeout: 5_000}, () => {
  const table: [string, string][] = [
    ['abc', '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\t\n\x00\x7f', '"\\t\\n\\x00\\x7f"'],
    ['héllo ✓', '"héllo ✓"'],
    ['\u200b', '"\\u200b"'],
  ]
  for (const [input, want] of table) test(JSON.stringify(input), () => assert.equal(goQuote(input), want))
})

describe('Go query/path decoding', {timeout: 5_000}, () => {
  test('ParseQuery: plus is space, %XX bytes, first value wins for get()', () => {
    const {query, error} = parseGoQuery('a=1+2&b=%C3%A9&a=3&flag')
    assert.equal(error, undefined)
    assert.equal(query.get('a'), '1 2')
    assert.deepEqual(query.getAll('a'), ['1 2', '3'])
    assert.equal(query.get('b'), 'é')
    assert.equal(query.get('flag'), '')
  })
  test('ParseQuery errors keep the good pairs', () => {
    assert.deepEqual(parseGoQuery('a=1;b=2').error, 'invalid semicolon separator in query')
    const r = parseGoQuery('x=%zz&y=1')
    assert.equal(r.error, 'invalid URL escape "%zz"')
    assert.equal(r.query.get('y'), '1')
    assert.equal(parseGoQuery('x=%4').error, 'invalid URL escape "%4"')
  })
  test('path unescape keeps plus and decodes %2F', () => {
    assert.equal(goUnescape('/a+b/%5Fping', false), '/a+b/_ping')
    assert.equal(goUnescape('/a%2Fb', false), '/a/b')
    assert.ok(goUnescape('/%G0', false) instanceof Error)
  })
  test('EscapedPath for redirects', () => {
    assert.equal(goEscapePath('/_ping'), '/_ping')
    assert.equal(goEscapePath('/a b/é?'), '/a%20b/%C3%A9%3F')
    assert.equal(goEscapePath("/x!*'()"), '/x%21%2A%27%28%29')
  })
})

describe('Accept matching (contenttype.MatchAcceptStrict)', {timeout: 5_000}, () => {
  const offers = ['application/jsonl', 'application/x-ndjson', 'application/json-seq']
  const table: [string | undefined, string][] = [
    [undefined, ''],
    ['', ''],
    ['*/*', ''],
    ['application/*', ''],
    ['application/json', ''],
    ['application/x-ndjson', 'application/x-ndjson'],
    ['application/json-seq, application/jsonl', 'application/jsonl'],
    ['application/jsonl;q=0.5, application/json-seq', 'application/json-seq'],
    ['application/jsonl;q=0, */*', ''],
    ['application/x-ndjson;q=0.9, application/json-seq;q=0.9', 'application/x-ndjson'],
    ['text/html, application/json-seq', 'application/json-seq'],
  ]
  for (const [accept, want] of table) {
    test(`${JSON.stringify(accept)} → ${JSON.stringify(want)}`, () => assert.equal(matchAcceptStrict(accept, offers), want))
  }
  test('parameters other than q stop the parse (gddo)', () => {
    assert.deepEqual(parseAccept('a/b;charset=utf-8, c/d'), [])
    assert.deepEqual(parseAccept('a/b, c/d;q=0.25'), [
      {value: 'a/b', q: 1},
      {value: 'c/d', q: 0.25},
    ])
  })
})
