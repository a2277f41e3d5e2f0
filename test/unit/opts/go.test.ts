import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {OptsError} from '../../../src/opts/errors.js'
import {
  compareGoStrings,
  formatGoFloat,
  formatGoURL,
  formatGoValue,
  goQuote,
  goURLHostname,
  goURLPort,
  parseGoAtoi,
  parseGoBool,
  parseGoFloat,
  parseGoInt,
  parseGoIntBig,
  parseGoUint32,
  parseGoURL,
  readGoCSVRecord,
} from '../../../src/opts/go.js'

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof OptsError, `expected OptsError, got ${String(error)}`)
    return error.message
  }

  assert.fail('expected an error')
}

describe('parseGoInt (strconv.ParseInt(s, 0, 64))', () => {
  const ok: Array<[string, number]> = [
    ['0', 0],
    ['1500', 1500],
    ['-10', -10],
    ['+7', 7],
    ['0x10', 16],
    ['0X1f', 31],
    ['0o17', 15],
    ['0O17', 15],
    ['017', 15],
    ['0b101', 5],
    ['0B11', 3],
    ['-0x10', -16],
    ['1_000', 1000],
    ['0x_ff', 255],
    ['0_7', 7],
    ['00', 0],
  ]
  for (const [input, want] of ok) {
    it(JSON.stringify(input), () => assert.equal(parseGoInt(input), want))
  }

  const bad: Array<[string, string]> = [
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['+', 'strconv.ParseInt: parsing "+": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    [' 1', 'strconv.ParseInt: parsing " 1": invalid syntax'],
    ['08', 'strconv.ParseInt: parsing "08": invalid syntax'],
    ['0x', 'strconv.ParseInt: parsing "0x": invalid syntax'],
    ['1__0', 'strconv.ParseInt: parsing "1__0": invalid syntax'],
    ['_1', 'strconv.ParseInt: parsing "_1": invalid syntax'],
    ['1_', 'strconv.ParseInt: parsing "1_": invalid syntax'],
    ['--1', 'strconv.ParseInt: parsing "--1": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['-9223372036854775809', 'strconv.ParseInt: parsing "-9223372036854775809": value out of range'],
    ['99999999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999999": value out of range'],
  ]
  for (const [input, error] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => parseGoInt(input)), error))
  }

  it('keeps int64 bounds exact as bigint', () => {
    assert.equal(parseGoIntBig('9223372036854775807'), 9_223_372_036_854_775_807n)
    assert.equal(parseGoIntBig('-9223372036854775808'), -9_223_372_036_854_775_808n)
  })
})

describe('parseGoUint32 (strconv.ParseUint(s, 0, 32))', () => {
  it('accepts decimal, hex, octal', () => {
    assert.equal(parseGoUint32('1'), 1)
    assert.equal(parseGoUint32('0x1'), 1)
    assert.equal(parseGoUint32('010'), 8)
    assert.equal(parseGoUint32('0xff'), 255)
    assert.equal(parseGoUint32('4294967295'), 4_294_967_295)
  })

  const bad: Array<[string, string]> = [
    ['hello', 'strconv.ParseUint: parsing "hello": invalid syntax'],
    ['-1', 'strconv.ParseUint: parsing "-1": invalid syntax'],
    ['+1', 'strconv.ParseUint: parsing "+1": invalid syntax'],
    ['', 'strconv.ParseUint: parsing "": invalid syntax'],
    ['4294967296', 'strconv.ParseUint: parsing "4294967296": value out of range'],
    ['0x100000000', 'strconv.ParseUint: parsing "0x100000000": value out of range'],
  ]
  for (const [input, error] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => parseGoUint32(input)), error))
  }
})

describe('parseGoAtoi', () => {
  it('is decimal only and names Atoi', () => {
    assert.equal(parseGoAtoi('2375'), 2375)
    assert.equal(parseGoAtoi('-5'), -5)
    assert.equal(errorOf(() => parseGoAtoi('0x10')), 'strconv.Atoi: parsing "0x10": invalid syntax')
    assert.equal(errorOf(() => parseGoAtoi('1_0')), 'strconv.Atoi: parsing "1_0": invalid syntax')
    assert.equal(errorOf(() => parseGoAtoi('99999999999999999999')), 'strconv.Atoi: parsing "99999999999999999999": value out of range')
  })
})

describe('parseGoBool', () => {
  for (const s of ['1', 't', 'T', 'TRUE', 'true', 'True']) it(s, () => assert.equal(parseGoBool(s), true))
  for (const s of ['0', 'f', 'F', 'FALSE', 'false', 'False']) it(s, () => assert.equal(parseGoBool(s), false))
  for (const s of ['yes', 'tRUE', '', ' true', 'not-a-bool']) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(errorOf(() => parseGoBool(s)), `strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`))
  }
})

describe('parseGoFloat', () => {
  const ok: Array<[string, number]> = [
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['-2', -2],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['1_000.5', 1000.5],
    ['0x1p4', 16],
    ['0x1.8p1', 3],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['1e-400', 0],
  ]
  for (const [input, want] of ok) it(input, () => assert.equal(parseGoFloat(input), want))
  it('NaN', () => assert.ok(Number.isNaN(parseGoFloat('nan'))))
  for (const input of ['', '.', 'e5', '1e', '1e+', '0x10', '1..2', 'infx', '+nan', '1_', ' 1']) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => parseGoFloat(input)), `strconv.ParseFloat: parsing ${JSON.stringify(input)}: invalid syntax`))
  }

  it('reports overflow', () => assert.equal(errorOf(() => parseGoFloat('1e400')), 'strconv.ParseFloat: parsing "1e400": value out of range'))
})

describe('goQuote (strconv.Quote)', () => {
  const table: Array<[string | Uint8Array, string]> = [
    ['', '""'],
    ['hello', '"hello"'],
    ['a"b\\c', String.raw`"a\"b\\c"`],
    ['\n\t\r\u0007\b\f\v', String.raw`"\n\t\r\a\b\f\v"`],
    ['\u0001\u007f', String.raw`"\x01\x7f"`],
    ['é😀', '"é😀"'],
    ['\u00a0', String.raw`"\u00a0"`],
    ['\u200b', String.raw`"\u200b"`],
    [Uint8Array.from([0x25, 0x7a, 0xc3]), String.raw`"%z\xc3"`],
    [Uint8Array.from([0xff, 0x41]), String.raw`"\xffA"`],
  ]
  for (const [input, want] of table) it(want, () => assert.equal(goQuote(input), want))
})

describe('formatGoValue (%v of JSON values)', () => {
  const table: Array<[unknown, string]> = [
    ['foobar', 'foobar'],
    [true, 'true'],
    [false, 'false'],
    [null, '<nil>'],
    [8, '8'],
    [1.5, '1.5'],
    [-1, '-1'],
    [0, '0'],
    [100_000, '100000'],
    [999_999, '999999'],
    [1e6, '1e+06'],
    [1_234_567, '1.234567e+06'],
    [123_456_789, '1.23456789e+08'],
    [0.0001, '0.0001'],
    [0.000_01, '1e-05'],
    [1e21, '1e+21'],
    [-0, '-0'],
    [608_863_452_348.1149, '6.088634523481149e+11'],
    [['a', 'b'], '[a b]'],
    [[], '[]'],
    [['192.0.2.2', '2001:db8::1234'], '[192.0.2.2 2001:db8::1234]'],
    [{'containerd-snapshotter': true}, 'map[containerd-snapshotter:true]'],
    [{b: 1, a: [1, {c: null}]}, 'map[a:[1 map[c:<nil>]] b:1]'],
    [{}, 'map[]'],
  ]
  for (const [input, want] of table) it(want, () => assert.equal(formatGoValue(input), want))
})

describe('formatGoFloat', () => {
  const table: Array<[number, 'e' | 'f' | 'g', number, string]> = [
    [64, 'g', 4, '64'],
    [1.5, 'g', 4, '1.5'],
    [1000.5, 'g', 4, '1000'],
    [1001.5, 'g', 4, '1002'],
    [12_345, 'g', 4, '1.234e+04'],
    [0.000_012_345, 'g', 4, '1.234e-05'],
    [2.5, 'f', 0, '2'],
    [3.5, 'f', 0, '4'],
    [0.125, 'f', 2, '0.12'],
    [1, 'e', 3, '1.000e+00'],
    [123_456, 'e', -1, '1.23456e+05'],
    [Number.NaN, 'g', -1, 'NaN'],
    [Infinity, 'g', -1, '+Inf'],
    [-Infinity, 'g', -1, '-Inf'],
  ]
  for (const [x, verb, prec, want] of table) it(`${x} %.${prec}${verb}`, () => assert.equal(formatGoFloat(x, verb, prec), want))
})

describe('parseGoURL / formatGoURL (net/url)', () => {
  it('splits the parts', () => {
    const u = parseGoURL('HTTP://user:p%40ss@Example.com:80/a%20b?x=1#frag')
    assert.equal(u.scheme, 'http')
    assert.deepEqual(u.user, {password: 'p@ss', username: 'user'})
    assert.equal(u.host, 'Example.com:80')
    assert.equal(goURLHostname(u), 'Example.com')
    assert.equal(goURLPort(u), '80')
    assert.equal(u.path, '/a b')
    assert.equal(u.rawQuery, 'x=1')
    assert.equal(u.fragment, 'frag')
    assert.equal(formatGoURL(u), 'http://user:p%40ss@Example.com:80/a%20b?x=1#frag')
  })

  it('handles relative and opaque forms', () => {
    assert.equal(parseGoURL('invalidURL').path, 'invalidURL')
    assert.equal(parseGoURL('mailto:x@y').opaque, 'x@y')
    assert.equal(formatGoURL(parseGoURL('')), '')
    assert.equal(goURLHostname(parseGoURL('tcp://[::1]:80')), '::1')
  })

  const bad: Array<[string, string]> = [
    ['tcp://something with spaces', 'parse "tcp://something with spaces": invalid character " " in host name'],
    ['tcp://:port', 'parse "tcp://:port": invalid port ":port" after host'],
    ['://x', 'parse "://x": missing protocol scheme'],
    ['1a:b/x', 'parse "1a:b/x": first path segment in URL cannot contain colon'],
    ['http://a{b}/', 'parse "http://a{b}/": invalid character "{" in host name'],
    ['http://[1.2.3.4]/', 'parse "http://[1.2.3.4]/": invalid IP-literal'],
    ['http://[v1.x]/', 'parse "http://[v1.x]/": invalid host: ParseAddr("v1.x"): unexpected character (at "v1.x")'],
    ['http://x.com/%zz', 'parse "http://x.com/%zz": invalid URL escape "%zz"'],
    ['http://%41.com/', 'parse "http://%41.com/": invalid URL escape "%41"'],
    ['http://ü@x.com/', 'parse "http://ü@x.com/": net/url: invalid userinfo'],
    ['http://x.com/\n', 'parse "http://x.com/\\n": net/url: invalid control character in URL'],
    ['http://x.com/#%zz', 'parse "http://x.com/#%zz": invalid URL escape "%zz"'],
    ['http://::1/', 'parse "http://::1/": invalid port "::1" after host'],
    ['http://localhost:80:80/', 'parse "http://localhost:80:80/": invalid port ":80:80" after host'],
  ]
  for (const [input, error] of bad) it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => parseGoURL(input)), error))

  it('keeps last-colon ports for non-http schemes', () => {
    assert.equal(parseGoURL('tcp://localhost:80:80').host, 'localhost:80:80')
    assert.equal(parseGoURL('tcp://tcp:a.b.c.d:1').host, 'tcp:a.b.c.d:1')
  })
})

describe('readGoCSVRecord (encoding/csv)', () => {
  const ok: Array<[string, string[]]> = [
    ['a,b', ['a', 'b']],
    ['a,', ['a', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"a""b"', ['a"b']],
    ['\n\na,b\nc,d', ['a', 'b']],
    ['a,b\r\n', ['a', 'b']],
    ['"a\nb",c', ['a\nb', 'c']],
    [' a , b ', [' a ', ' b ']],
  ]
  for (const [input, want] of ok) it(JSON.stringify(input), () => assert.deepEqual(readGoCSVRecord(input), want))

  const bad: Array<[string, string]> = [
    ['', 'EOF'],
    ['\n', 'EOF'],
    ['a"b', 'parse error on line 1, column 2: bare " in non-quoted-field'],
    ['x,a"b', 'parse error on line 1, column 4: bare " in non-quoted-field'],
    ['"abc', 'parse error on line 1, column 5: extraneous or missing " in quoted-field'],
    ['"a"b', 'parse error on line 1, column 3: extraneous or missing " in quoted-field'],
    ['"a\nb"c', 'record on line 1; parse error on line 2, column 2: extraneous or missing " in quoted-field'],
  ]
  for (const [input, error] of bad) it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => readGoCSVRecord(input)), error))
})

describe('compareGoStrings', () => {
  it('orders by bytes', () => {
    assert.deepEqual(['b', 'B', 'a', 'é', 'z'].sort(compareGoStrings), ['B', 'a', 'b', 'z', 'é'])
  })
})
