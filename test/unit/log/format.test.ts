import assert from 'node:assert/strict'
import {describe, it} from 'node:test'


import {formatJSON, formatTTY, formatText, goQuote, needsQuoting, timestamp} from '../../../src/log/format.js'
import type {Entry, Fields, Level} from '../../../src/log/types.js'

const T = '2026-11-28T13:35:50.309898745Z'
const entry = (level: Level, msg: string, fields: Fields = {}): Entry => ({time: T, level, msg, fields})

describe('formatText', () => {
  it('prints the documented example', () => {
    assert.equal(
      formatText(entry('info', 'API listen on /var/run/docker.sock', {key: 'value'})),
      `time="${T}" level=info msg="API listen on /var/run/docker.sock" key=value`,
    )
  })

  const values: Array<[name: string, value: unknown, rendered: string]> = [
    ['bare word', 'hello', 'hello'],
    ['all bare punctuation', 'a-b.c_d/e@f^g+h', 'a-b.c_d/e@f^g+h'],
    ['empty stays bare', '', ''],
    ['space', 'a b', '"a b"'],
    ['colon', 'a:b', '"a:b"'],
    ['equals', 'a=b', '"a=b"'],
    ['comma', 'a,b', '"a,b"'],
    ['double quote', 'say "hi"', '"say \\"hi\\""'],
    ['backslash', 'C:\\dir', '"C:\\\\dir"'],
    ['newline', 'a\nb', '"a\\nb"'],
    ['tab and CR', '\t\r', '"\\t\\r"'],
    ['bell, vt, ff, bs', '\u0007\u000B\u000C\b', '"\\a\\v\\f\\b"'],
    ['other control', '\u0001\u007F', '"\\x01\\x7f"'],
    ['printable unicode kept', 'héllo', '"héllo"'],
    ['emoji kept', '🐳', '"🐳"'],
    ['NBSP escaped', 'a\u00A0b', '"a\\u00a0b"'],
    ['zero-width space escaped', '\u200B', '"\\u200b"'],
    ['non-BMP unprintable', '\u{E0001}', '"\\U000e0001"'],
    ['integer', 42, '42'],
    ['negative float', -1.5, '-1.5'],
    ['boolean', true, 'true'],
    ['null', null, '"<nil>"'],
    ['undefined', undefined, '"<nil>"'],
    ['Error by message', new Error('boom: bad'), '"boom: bad"'],
    ['Error bare message', new Error('boom'), 'boom'],
    ['array like Go', ['a', 'b'], '"[a b]"'],
    ['map like Go, sorted', {b: 1, a: 'x'}, '"map[a:x b:1]"'],
  ]
  for (const [name, value, rendered] of values) {
    it(`value: ${name}`, () => {
      assert.equal(formatText(entry('info', 'm', {k: value})), `time="${T}" level=info msg=m k=${rendered}`)
    })
  }

  it('sorts field keys after the fixed keys', () => {
    assert.equal(
      formatText(entry('info', 'm', {zeta: 1, alpha: 2, Mid: 3, _u: 4})),
      `time="${T}" level=info msg=m Mid=3 _u=4 alpha=2 zeta=1`,
    )
  })

  it('renames clashing fields like logrus (fields.time, fields.level, fields.msg)', () => {
    assert.equal(
      formatText(entry('info', 'm', {time: 'x', level: 'y', msg: 'z'})),
      `time="${T}" level=info msg=m fields.level=y fields.msg=z fields.time=x`,
    )
  })

  it('omits msg when empty', () => {
    assert.equal(formatText(entry('info', '', {a: 1})), `time="${T}" level=info a=1`)
  })

  const names: Array<[Level, string]> = [
    ['trace', 'trace'],
    ['debug', 'debug'],
    ['info', 'info'],
    ['warn', 'warning'],
    ['error', 'error'],
    ['fatal', 'fatal'],
    ['panic', 'panic'],
  ]
  for (const [level, name] of names) {
    it(`level name: ${level} → ${name}`, () => {
      assert.equal(formatText(entry(level, 'x')), `time="${T}" level=${name} msg=x`)
    })
  }
})

describe('needsQuoting and goQuote', () => {
  const table: Array<[string, boolean]> = [
    ['', false],
    ['abcXYZ019', false],
    ['-._/@^+', false],
    [' ', true],
    ['~', true],
    ['é', true],
  ]
  for (const [s, want] of table) {
    it(`needsQuoting(${JSON.stringify(s)}) = ${want}`, () => assert.equal(needsQuoting(s), want))
  }

  it('quotes an empty string as ""', () => assert.equal(goQuote(''), '""'))
})

describe('formatTTY', () => {
  it('prints the documented example with padding and trailing space', () => {
    assert.equal(
      formatTTY(entry('info', 'Daemon has completed initialization')),
      `\u001B[36mINFO\u001B[0m[${T}] Daemon has completed initialization          `,
    )
  })

  const colors: Array<[Level, string, string]> = [
    ['trace', '37', 'TRAC'],
    ['debug', '37', 'DEBU'],
    ['info', '36', 'INFO'],
    ['warn', '33', 'WARN'],
    ['error', '31', 'ERRO'],
    ['fatal', '31', 'FATA'],
    ['panic', '31', 'PANI'],
  ]
  for (const [level, code, text] of colors) {
    it(`level ${level}: \\x1b[${code}m${text}\\x1b[0m, keys in the same colour`, () => {
      assert.equal(
        formatTTY(entry(level, 'm', {k: 'a b'})),
        `\u001B[${code}m${text}\u001B[0m[${T}] ${'m'.padEnd(44)}  \u001B[${code}mk\u001B[0m="a b"`,
      )
    })
  }

  it('sorts fields and keeps a long message unpadded', () => {
    const msg = 'x'.repeat(50)
    assert.equal(
      formatTTY(entry('info', msg, {b: 2, a: 1})),
      `\u001B[36mINFO\u001B[0m[${T}] ${msg}  \u001B[36ma\u001B[0m=1 \u001B[36mb\u001B[0m=2`,
    )
  })

  it('pads by characters, not UTF-16 units', () => {
    const line = formatTTY(entry('info', '🐳'))
    assert.ok(line.endsWith(`] 🐳${' '.repeat(43)} `))
  })

  it('drops one trailing newline from the message', () => {
    assert.equal(formatTTY(entry('info', 'hi\n')), formatTTY(entry('info', 'hi')))
  })
})

describe('formatJSON', () => {
  it('sorts all keys, level/msg/time included', () => {
    assert.equal(
      formatJSON(entry('warn', 'x', {b: 1, a: 'z'})),
      `{"a":"z","b":1,"level":"warning","msg":"x","time":"${T}"}`,
    )
  })

  it('sorts keys that come after time', () => {
    assert.equal(formatJSON(entry('info', 'x', {zz: true})), `{"level":"info","msg":"x","time":"${T}","zz":true}`)
  })

  it('keeps an empty msg', () => {
    assert.equal(formatJSON(entry('info', '')), `{"level":"info","msg":"","time":"${T}"}`)
  })

  it('renders errors by message, escapes HTML like Go, sorts nested maps', () => {
    assert.equal(
      formatJSON(entry('error', '<a&b>', {err: new Error('x'), n: {z: 1, a: [1, null]}, big: 10n})),
      `{"big":10,"err":"x","level":"error","msg":"\\u003ca\\u0026b\\u003e","n":{"a":[1,null],"z":1},"time":"${T}"}`,
    )
  })

  it('renames clashing fields and survives cycles', () => {
    const cyc: Record<string, unknown> = {}
    cyc.self = cyc
    assert.equal(
      formatJSON(entry('info', 'm', {msg: 'clash', c: cyc})),
      `{"c":{"self":"[Circular]"},"fields.msg":"clash","level":"info","msg":"m","time":"${T}"}`,
    )
  })

  it('produces valid JSON for awkward strings', () => {
    const line = formatJSON(entry('info', 'a\n"b"\u2028', {k: '\u0000'}))
    assert.deepEqual(JSON.parse(line), {k: '\u0000', level: 'info', msg: 'a\n"b"\u2028', time: T})
  })
})

describe('timestamp', () => {
  it('is RFC3339Nano with 9 digits and Z', () => {
    for (let i = 0; i < 100; i++) assert.match(timestamp(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/)
  })

  it('tracks the wall clock and does not go backwards', () => {
    const before = Date.now()
    const stamps = Array.from({length: 1000}, () => timestamp())
    const after = Date.now()
    for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i - 1] <= stamps[i], `${stamps[i - 1]} > ${stamps[i]}`)
    const ms = Date.parse(stamps[0].slice(0, 23) + 'Z')
    assert.ok(ms >= before - 6 && ms <= after + 6, `${stamps[0]} not within [${before}, ${after}]`)
  })
})
