// Go's encoding/json field decoding, as policies rely on it: tables of what Go does, and properties
// over generated spellings and duplicates.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {goCleanPath, goField, goFoldEqual, GoObject, goMapEntries, parseGoJson} from '../../../src/go/json.js'

const field = (text: string, name: string, kind?: Parameters<typeof goField>[2]) => goField(parseGoJson(text), name, kind)

describe('goField: the value Go decodes into a struct field', () => {
  for (const [text, name, kind, want] of [
    ['{"Privileged":true}', 'Privileged', 'value', true],
    ['{"privileged":true}', 'Privileged', 'value', true],
    ['{"PRIVILEGED":true}', 'Privileged', 'value', true],
    ['{"Privileged":false,"Privileged":true}', 'Privileged', 'value', true],
    ['{"Privileged":true,"privileged":false}', 'Privileged', 'value', false],
    // null leaves a non-pointer field as it was
    ['{"Privileged":true,"Privileged":null}', 'Privileged', 'value', true],
    ['{"Privil\\u0065ged":true}', 'Privileged', 'value', true],
    // Unicode simple folding: the Kelvin sign is a k, the long s an s
    ['{"Networ\u212AMode":"host"}', 'NetworkMode', 'value', 'host'],
    ['{"Deviceſ":["/dev/sda"]}', 'Devices', 'nullable', ['/dev/sda']],
    // the dotless i folds to nothing ASCII
    ['{"Prıvileged":true}', 'Privileged', 'value', undefined],
    ['{"CapAdd":["X"],"CapAdd":null}', 'CapAdd', 'nullable', undefined],
    ['{"Privileged ":true}', 'Privileged', 'value', undefined],
  ] as const) {
    it(`${text} → ${name} = ${JSON.stringify(want)}`, () => assert.deepEqual(field(text, name, kind), want))
  }

  it('merges objects decoded into the same struct; a null pointer resets it', () => {
    const hc = field('{"HostConfig":{"Privileged":true},"hostconfig":{"Memory":1}}', 'HostConfig', 'pointer')
    assert.equal(goField(hc, 'Privileged'), true)
    assert.equal(goField(hc, 'Memory'), 1)
    assert.equal(field('{"HostConfig":{"Privileged":true},"HostConfig":null}', 'HostConfig', 'pointer'), undefined)
    assert.equal(goField(field('{"HostConfig":null,"HostConfig":{"Privileged":true}}', 'HostConfig', 'pointer'), 'Privileged'), true)
    assert.equal(goField(field('{"LogConfig":{"Type":"x"},"LogConfig":null}', 'LogConfig', 'struct'), 'Type'), 'x')
  })

  it('hands a value of the wrong type back to be refused', () => {
    assert.equal(field('{"HostConfig":"x"}', 'HostConfig', 'pointer'), 'x')
    assert.equal(field('{"Privileged":"true"}', 'Privileged'), 'true')
  })

  it('reads maps with exact keys, the last duplicate winning, merged across repeats', () => {
    const labels = field('{"Labels":{"a":"1","a":"2"},"labels":{"b":"3"}}', 'Labels', 'pointer')
    assert.deepEqual(goMapEntries(labels), [['a', '2'], ['b', '3']])
  })
})

describe('parseGoJson', () => {
  for (const bad of ['', '{', '{"a":1} {"a":2}', '\uFEFF{}', '{"a":01}', "{'a':1}", '{"a":"\u0001"}', '[1,]', '{"a":1,}']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseGoJson(bad)))
  }

  it('reads bytes as UTF-8, invalid sequences as U+FFFD (never as another key)', () => {
    const v = parseGoJson(Buffer.concat([Buffer.from('{"Privileged'), Buffer.from([0xff]), Buffer.from('":true}')]))
    assert.ok(v instanceof GoObject)
    assert.equal(v.entries[0]![0], 'Privileged\uFFFD')
    assert.equal(goField(v, 'Privileged'), undefined)
  })

  it('agrees with JSON.parse on the values of any JSON document', () => {
    const plain = (v: unknown): unknown =>
      v instanceof GoObject ? Object.fromEntries(v.entries.map(([k, x]) => [k, plain(x)])) : Array.isArray(v) ? v.map(plain) : v
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value)
        assert.deepEqual(plain(parseGoJson(text)), JSON.parse(text))
      }),
    )
  })
})

describe('properties of the field lookup', () => {
  const names = fc.constantFrom('Privileged', 'NetworkMode', 'Devices', 'Binds', 'CapAdd', 'SecurityOpt', 'PidMode', 'Sysctls', 'Mounts')
  // Every spelling Go accepts for a field name: any case per letter, K and S also as U+212A / U+017F.
  const spelling = (name: string) =>
    fc.tuple(...[...name].map((c) => fc.constantFrom(...new Set([c, c.toLowerCase(), c.toUpperCase(), ...(c.toLowerCase() === 'k' ? ['\u212A'] : []), ...(c.toLowerCase() === 's' ? ['\u017F'] : [])])))).map((cs) => cs.join(''))

  it('any case variant of a field name is the field', () => {
    fc.assert(fc.property(names.chain((n) => fc.tuple(fc.constant(n), spelling(n))), ([name, key]) => assert.ok(goFoldEqual(key, name), key)))
  })

  it('a name with one letter changed is not the field', () => {
    fc.assert(
      fc.property(names, fc.nat(), fc.constantFrom('x', 'q', '0', '_', 'ı', ' '), (name, at, c) => {
        const i = at % name.length
        fc.pre(name[i]!.toLowerCase() !== c)
        assert.ok(!goFoldEqual(name.slice(0, i) + c + name.slice(i + 1), name))
      }),
    )
  })

  it('with repeated keys in any spelling, the last non-null value wins (a value field)', () => {
    fc.assert(
      fc.property(
        names.chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(spelling(n), fc.oneof(fc.boolean(), fc.constant(null))), {maxLength: 6}))),
        ([name, pairs]) => {
          const text = `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`
          const want = pairs.filter(([, v]) => v !== null).at(-1)?.[1]
          assert.equal(goField(parseGoJson(text), name), want)
        },
      ),
    )
  })
})

describe('goCleanPath (Go path.Clean)', () => {
  for (const [p, want] of [
    ['/etc', '/etc'],
    ['/srv/data/../../etc', '/etc'],
    ['/srv//data/./x/', '/srv/data/x'],
    ['/../..', '/'],
    ['', '.'],
    ['a/../..', '..'],
  ] as const) {
    it(`${p} → ${want}`, () => assert.equal(goCleanPath(p), want))
  }

  it('a cleaned path has no . or .. segment and no double slash', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '.', '..', ''), {maxLength: 8}), (parts) => {
        const c = goCleanPath('/' + parts.join('/'))
        assert.ok(c.startsWith('/'))
        assert.ok(!/\/\.\.?(\/|$)/.test(c) && !c.includes('//'), c)
      }),
    )
  })
})
