import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {OptsError} from '../../../src/opts/errors.js'
import {formatGoValue} from '../../../src/opts/go.js'
import {
  addRuntime,
  formatAddressPools,
  formatListOpt,
  formatNriOpts,
  formatUlimit,
  formatUlimits,
  parseAddressPool,
  parseFeature,
  parseMapMapOpt,
  parseMapOpt,
  parseNriOpts,
  parseRuntime,
  parseUlimit,
} from '../../../src/opts/maps.js'

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof OptsError, `expected OptsError, got ${String(error)}`)
    return error.message
  }

  assert.fail('expected an error')
}

describe('formatListOpt (TestListOptsWithoutValidator)', () => {
  it('prints [a b], and "" when empty', () => {
    assert.equal(formatListOpt(['foo']), '[foo]')
    assert.equal(formatListOpt(['foo', 'bar']), '[foo bar]')
    assert.equal(formatListOpt([]), '')
  })
})

describe('parseMapOpt (TestMapOpts)', () => {
  it('splits at the first "=" and prints as map[k:v]', () => {
    assert.deepEqual(parseMapOpt('max-size=1'), ['max-size', '1'])
    assert.deepEqual(parseMapOpt('a=b=c'), ['a', 'b=c'])
    assert.equal(formatGoValue(Object.fromEntries([parseMapOpt('max-size=1')])), 'map[max-size:1]')
  })

  it('accepts a bare key as moby does (empty value)', () => {
    assert.deepEqual(parseMapOpt('tag'), ['tag', ''])
  })
})

// Feature set option table (daemon/internal/opts/opts_test.go).
describe('parseFeature', () => {
  const ok: Array<[string, string, boolean]> = [
    ['feature-a=1', 'feature-a', true],
    ['feature-b=true', 'feature-b', true],
    ['feature-c=0', 'feature-c', false],
    ['feature-d=false', 'feature-d', false],
    ['feature-e', 'feature-e', true],
  ]
  for (const [input, name, value] of ok) {
    it(input, () => assert.deepEqual(parseFeature(input), [name, value]))
  }

  it('prints the set as map[...]', () => {
    const set = Object.fromEntries(ok.map(([input]) => parseFeature(input)))
    assert.equal(formatGoValue(set), 'map[feature-a:true feature-b:true feature-c:false feature-d:false feature-e:true]')
  })

  const bad: Array<[string, string]> = [
    ['feature=not-a-bool', 'strconv.ParseBool: parsing "not-a-bool": invalid syntax'],
    ['feature=', 'strconv.ParseBool: parsing "": invalid syntax'],
    ['=true', 'invalid option name: =true'],
  ]
  for (const [input, error] of bad) {
    it(`rejects ${input}`, () => assert.equal(errorOf(() => parseFeature(input)), error))
  }
})

describe('parseMapMapOpt (TestMapMapOpts)', () => {
  it('parses root-key=key=value', () => {
    assert.deepEqual(parseMapMapOpt('r1=k11=v11'), ['r1', 'k11', 'v11'])
    assert.deepEqual(parseMapMapOpt('r1=k12=v12=x'), ['r1', 'k12', 'v12=x'])
    assert.deepEqual(parseMapMapOpt('overlay=com.docker.network.driver.mtu=1337'), ['overlay', 'com.docker.network.driver.mtu', '1337'])
  })

  for (const input of ['invalid-syntax', 'k=invalid-syntax']) {
    it(`rejects ${input}`, () => {
      assert.equal(errorOf(() => parseMapMapOpt(input)), `invalid value "${input}" for map option, should be root-key=key=value`)
    })
  }
})

describe('parseUlimit (TestUlimitOpt, go-units ParseUlimit)', () => {
  it('parses soft[:hard]', () => {
    assert.deepEqual(parseUlimit('nofile=512:1024'), {Hard: 1024, Name: 'nofile', Soft: 512})
    assert.deepEqual(parseUlimit('core=1024:1024'), {Hard: 1024, Name: 'core', Soft: 1024})
    assert.deepEqual(parseUlimit('nproc=2048'), {Hard: 2048, Name: 'nproc', Soft: 2048})
    assert.deepEqual(parseUlimit('memlock=-1'), {Hard: -1, Name: 'memlock', Soft: -1})
    assert.deepEqual(parseUlimit('memlock=1024:-1'), {Hard: -1, Name: 'memlock', Soft: 1024})
  })

  it('prints as name=soft:hard in a list', () => {
    assert.equal(formatUlimit(parseUlimit('nofile=512:1024')), 'nofile=512:1024')
    assert.equal(formatUlimits([parseUlimit('nofile=512:1024')]), '[nofile=512:1024]')
    assert.equal(formatUlimits([parseUlimit('nofile=512:1024'), parseUlimit('core=1024:1024')]), '[nofile=512:1024 core=1024:1024]')
    assert.equal(formatUlimits([]), '[]')
  })

  const bad: Array<[string, string]> = [
    ['notavalidtype=1024:1024', 'invalid ulimit type: notavalidtype'],
    ['nofile', 'invalid ulimit argument: nofile'],
    ['core=2048:1024', 'ulimit soft limit must be less than or equal to hard limit: 2048 > 1024'],
    ['core=-1:1024', 'ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1024'],
    ['nofile=1:2:3', 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`'],
    ['nofile=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['nofile=1:0x10', 'strconv.ParseInt: parsing "0x10": invalid syntax'],
    ['nofile=', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['nofile=99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
  ]
  for (const [input, error] of bad) {
    it(`rejects ${input}`, () => assert.equal(errorOf(() => parseUlimit(input)), error))
  }
})

describe('parseAddressPool (TestAddressPoolOpt)', () => {
  it('parses base and size', () => {
    assert.deepEqual(parseAddressPool('base=175.30.0.0/16,size=16'), {base: '175.30.0.0/16', size: 16})
    assert.deepEqual(parseAddressPool('BASE=10.123.0.0/16,Size=24'), {base: '10.123.0.0/16', size: 24})
    assert.equal(formatAddressPools([parseAddressPool('base=10.123.0.0/16,size=24')]), '10.123.0.0/16 24')
  })

  it('rejects the second pool glued on with ", base=" (unexpected key)', () => {
    assert.equal(
      errorOf(() => parseAddressPool('base=175.30.0.0/16,size=16, base=175.33.0.0/16,size=24')),
      "unexpected key ' base' in ' base=175.33.0.0/16'",
    )
  })

  const bad: Array<[string, string]> = [
    ['base', "invalid field 'base' must be a key=value pair"],
    ['base=10.0.0.0,size=24', 'invalid base prefix "10.0.0.0": netip.ParsePrefix("10.0.0.0"): no \'/\''],
    ['base=10.0.0.0/8,size=x', 'invalid size value: "base=10.0.0.0/8,size=x" (must be integer): strconv.Atoi: parsing "x": invalid syntax'],
    ['base=10.0.0.0/8,foo=1', "unexpected key 'foo' in 'foo=1'"],
    ['', 'EOF'],
    ['base="10.0.0.0/8', 'parse error on line 1, column 6: bare " in non-quoted-field'],
    ['"base=10.0.0.0/8', 'parse error on line 1, column 17: extraneous or missing " in quoted-field'],
    ['"base=10.0.0.0/8"x', 'parse error on line 1, column 17: extraneous or missing " in quoted-field'],
    ['ba"se=1', 'parse error on line 1, column 3: bare " in non-quoted-field'],
  ]
  for (const [input, error] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => parseAddressPool(input)), error))
  }

  it('lets a repeated field override and leaves a missing one at zero, as moby does', () => {
    assert.deepEqual(parseAddressPool('base=10.0.0.0/8,size=16,size=24'), {base: '10.0.0.0/8', size: 24})
    assert.deepEqual(parseAddressPool('size=24'), {base: '', size: 24})
    assert.deepEqual(parseAddressPool('"base=10.0.0.0/8","size=24"'), {base: '10.0.0.0/8', size: 24})
  })
})

describe('parseRuntime / addRuntime', () => {
  it('parses name=path, lower-casing and trimming', () => {
    assert.deepEqual(parseRuntime('custom=/usr/local/bin/custom'), ['custom', '/usr/local/bin/custom'])
    assert.deepEqual(parseRuntime(' Kata = /opt/kata '), ['kata', '/opt/kata'])
  })

  const bad: Array<[string, string]> = [
    ['custom', 'invalid runtime argument: custom'],
    ['=path', 'invalid runtime argument: =path'],
    ['name= ', 'invalid runtime argument: name= '],
    ['runc=/bin/runc', "runtime name 'runc' is reserved"],
    ['RunC=/bin/runc', "runtime name 'runc' is reserved"],
  ]
  for (const [input, error] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => parseRuntime(input)), error))
  }

  it('refuses a runtime defined twice', () => {
    const runtimes: Record<string, {path: string}> = {}
    addRuntime(runtimes, ...parseRuntime('foo=/a'))
    assert.deepEqual(runtimes, {foo: {path: '/a'}})
    assert.equal(errorOf(() => addRuntime(runtimes, ...parseRuntime('FOO=/b'))), "runtime 'foo' was already defined")
  })
})

describe('parseNriOpts (TestNRIOptsCmd)', () => {
  const table: Array<{input: string; string: string}> = [
    {input: 'enable=true', string: 'enable=true'},
    {
      input: 'enable=true,plugin-path=/foo,plugin-config-path=/bar,socket-path=/baz',
      string: 'enable=true,plugin-path=/foo,plugin-config-path=/bar,socket-path=/baz',
    },
    {input: 'enable', string: 'enable=true'},
    {input: 'plugin-path=/x', string: 'enable=false,plugin-path=/x'},
  ]
  for (const {input, string} of table) {
    it(input, () => assert.equal(formatNriOpts(parseNriOpts(input)), string))
  }

  it('returns the fields by their daemon.json names', () => {
    assert.deepEqual(parseNriOpts('enable=true,plugin-path=/foo,plugin-config-path=/bar,socket-path=/baz'), {
      enable: true,
      'plugin-config-path': '/bar',
      'plugin-path': '/foo',
      'socket-path': '/baz',
    })
  })

  it('applies over an earlier value', () => {
    const first = parseNriOpts('enable,socket-path=/s')
    assert.equal(formatNriOpts(parseNriOpts('plugin-path=/p', first)), 'enable=true,plugin-path=/p,socket-path=/s')
  })

  const bad: Array<[string, string]> = [
    ['foo=bar', "unexpected key 'foo' in 'foo=bar'"],
    ['enable=maybe', 'invalid value for NRI enable "maybe": strconv.ParseBool: parsing "maybe": invalid syntax'],
  ]
  for (const [input, error] of bad) {
    it(`rejects ${input}`, () => assert.equal(errorOf(() => parseNriOpts(input)), error))
  }
})
