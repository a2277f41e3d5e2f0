import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {goQuoteByte} from '../../../src/api/goquote.js'
import {parseUnixTimestamp} from '../../../src/api/timestamp.js'
import {compareVersions} from '../../../src/api/versions.js'
import {GoNumError, goQuote, goQuoteRune, parseGoIntBig} from '../../../src/go/strconv.js'

describe('go/strconv', () => {
  it('QuoteRune (fmt %q of an integer)', () => {
    const cases: Array<[number, string]> = [
      [0x61, "'a'"],
      [0x27, "'\\''"],
      [0x22, `'"'`],
      [0x5c, "'\\\\'"],
      [0x0a, "'\\n'"],
      [0x07, "'\\a'"],
      [0x00, "'\\x00'"],
      [0x7f, "'\\x7f'"],
      [0x85, "'\\u0085'"],
      [0xe9, "'é'"],
      [0x1f600, "'😀'"],
      [0xd800, "'�'"],
      [0x110000, "'�'"],
    ]
    for (const [r, want] of cases) assert.equal(goQuoteRune(r), want, String(r))
    // The API's byte form is the same function (one escaper, shared with Quote).
    for (const [r, want] of cases.filter(([r]) => r < 0x100)) assert.equal(goQuoteByte(r), want, String(r))
    assert.equal(goQuote(`'"`), `"'\\""`)
  })

  it('Quote of every ASCII character: printable exactly as unicode.IsPrint says', () => {
    // The ASCII range skips the Unicode class regex; it must agree with it.
    const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u
    for (let r = 0; r < 0x80; r++) {
      const c = String.fromCodePoint(r)
      const plain = r !== 0x22 && r !== 0x5c && (r === 0x20 || printable.test(c))
      assert.equal(goQuote(c) === `"${c}"`, plain, `U+${r.toString(16).padStart(4, '0')}`)
    }
  })

  it('ParseInt errors carry the Go reason', () => {
    const cases: Array<[string, string]> = [
      ['', 'invalid syntax'],
      ['-', 'invalid syntax'],
      ['1_000', 'invalid syntax'],
      ['9223372036854775808', 'value out of range'],
      ['-9223372036854775809', 'value out of range'],
      ['99999999999999999999x', 'value out of range'],
    ]
    for (const [s, err] of cases) {
      assert.throws(() => parseGoIntBig(s, 10, 64), (error: unknown) => {
        assert.ok(error instanceof GoNumError, s)
        assert.equal(error.err, err, s)
        assert.equal(error.message, `strconv.ParseInt: parsing ${goQuote(s)}: ${err}`)
        return true
      })
    }

    assert.equal(parseGoIntBig('-9223372036854775808', 10, 64), -(2n ** 63n))
  })

  it("GET /events since/until: moby's texts through the one ParseInt", () => {
    const cases: Array<[string, string]> = [
      ['x', 'invalid timestamp "x": invalid seconds "x": invalid syntax'],
      ['+', 'invalid timestamp "+": invalid seconds "+": invalid syntax'],
      ['1_0', 'invalid timestamp "1_0": invalid seconds "1_0": invalid syntax'],
      ['9223372036854775808', 'invalid timestamp "9223372036854775808": invalid seconds "9223372036854775808": value out of range'],
      ['1.x', `invalid timestamp "1.x": invalid nanoseconds: invalid character 'x' at position 0`],
    ]
    for (const [value, message] of cases) assert.throws(() => parseUnixTimestamp(value), {message}, value)
    assert.equal(parseUnixTimestamp('-5'), -5_000_000_000n)
    assert.equal(parseUnixTimestamp('+5.5'), 5_500_000_000n)
  })

  it('API versions: Atoi clamps out-of-range parts and reads bad ones as 0', () => {
    assert.equal(compareVersions('1.99999999999999999999', '1.9223372036854775807'), 0)
    assert.equal(compareVersions('1.-99999999999999999999', '1.-9223372036854775808'), 0)
    assert.equal(compareVersions('1.x', '1.0'), 0)
    assert.equal(compareVersions('1.1_0', '1'), 0)
    assert.equal(compareVersions('1.+5', '1.5'), 0)
    assert.equal(compareVersions('1.44', '1.9'), 1)
  })
})
