import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {OptsError} from '../../../src/opts/errors.js'
import {isIPv4, isIPv4Mapped, isIPv6, parseAddr, parsePflagIP, parsePrefix, validateIPAddress} from '../../../src/opts/ip.js'

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof OptsError, `expected OptsError, got ${String(error)}`)
    return error.message
  }

  assert.fail('expected an error')
}

// TestValidateIPAddress (daemon/pkg/opts/opts_test.go).
const validateTable: Array<{error?: string; input: string; want?: string}> = [
  {input: '127.0.0.1', want: '127.0.0.1'},
  {error: 'IP address is not correctly formatted: ParseAddr(" 127.0.0.1 "): unexpected character (at " 127.0.0.1 ")', input: ' 127.0.0.1 '},
  {input: '0:0:0:0:0:0:0:1', want: '::1'},
  {input: '::1', want: '::1'},
  {error: 'IP address is not correctly formatted: ParseAddr(" ::1 "): each colon-separated field must have at least one digit (at " ::1 ")', input: ' ::1 '},
  {input: '2001:db8::68', want: '2001:db8::68'},
  {input: '2001:DB8::68', want: '2001:db8::68'},
  {error: 'IP address is not correctly formatted: ParseAddr("[::1]"): each colon-separated field must have at least one digit (at "[::1]")', input: '[::1]'},
  {error: 'IP address is not correctly formatted: ParseAddr("127"): unable to parse IP', input: '127'},
  {error: 'IP address is not correctly formatted: ParseAddr("random invalid string"): unable to parse IP', input: 'random invalid string'},
]

describe('validateIPAddress', () => {
  for (const {error, input, want} of validateTable) {
    it(JSON.stringify(input), () => {
      if (error === undefined) assert.equal(validateIPAddress(input), want)
      else assert.equal(errorOf(() => validateIPAddress(input)), error)
    })
  }
})

// netip.ParseAddr texts: TestConfigInvalidDNS, TestConfigDNS, host-gateway "hello", and Go's own reasons.
const addrTable: Array<{error?: string; input: string; want?: string}> = [
  {error: 'ParseAddr("1.1.1.1o"): unexpected character (at "o")', input: '1.1.1.1o'},
  {error: 'ParseAddr("1.1.1.1%eth0"): unexpected character (at "%eth0")', input: '1.1.1.1%eth0'},
  {error: 'ParseAddr("hello"): unable to parse IP', input: 'hello'},
  {input: '::1%eth0', want: '::1%eth0'},
  {input: '::1%2', want: '::1%2'},
  {input: '192.0.2.1', want: '192.0.2.1'},
  {input: '2001:db8::1234', want: '2001:db8::1234'},
  {input: '::ffff:1.2.3.4', want: '::ffff:1.2.3.4'},
  {input: '::1.2.3.4', want: '::102:304'},
  {input: '1:0:0:1:0:0:0:1', want: '1:0:0:1::1'},
  {input: '1:0:0:0:1:0:0:0', want: '1::1:0:0:0'},
  {input: '0:0:0:0:0:0:0:0', want: '::'},
  {input: 'fe80:0:0:0:0:0:0:1%en0', want: 'fe80::1%en0'},
  {error: 'ParseAddr(""): unable to parse IP', input: ''},
  {error: 'ParseAddr("%eth0"): missing IPv6 address', input: '%eth0'},
  {error: 'ParseAddr("fe80::1%"): zone must be a non-empty string', input: 'fe80::1%'},
  {error: 'ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero', input: '01.2.3.4'},
  {error: 'ParseAddr("256.2.3.4"): IPv4 field has value >255', input: '256.2.3.4'},
  {error: 'ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")', input: '1..2.3'},
  {error: 'ParseAddr("1.2.3"): IPv4 address too short', input: '1.2.3'},
  {error: 'ParseAddr("1.2.3.4.5"): IPv4 address too long', input: '1.2.3.4.5'},
  {error: 'ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")', input: '12345::'},
  {error: 'ParseAddr("1::2::3"): multiple :: in address (at ":3")', input: '1::2::3'},
  {error: 'ParseAddr("1:2:3:4:5:6:7"): address string too short', input: '1:2:3:4:5:6:7'},
  {error: 'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")', input: '1:2:3:4:5:6:7:8:9'},
  {error: 'ParseAddr("1:2:3:4::5:6:7:8"): the :: must expand to at least one field of zeros', input: '1:2:3:4::5:6:7:8'},
  {error: 'ParseAddr("1:2:"): colon must be followed by more characters (at ":")', input: '1:2:'},
  {error: 'ParseAddr("1:2x"): unexpected character, want colon (at "x")', input: '1:2x'},
  {error: 'ParseAddr("1.2.3.4:5::"): unexpected character (at ":5::")', input: '1.2.3.4:5::'},
  {error: 'ParseAddr("1:2.3.4.5"): embedded IPv4 address must replace the final 2 fields of the address (at "2.3.4.5")', input: '1:2.3.4.5'},
  {error: 'ParseAddr("::1.2.3.4x"): unexpected character (at "x")', input: '::1.2.3.4x'},
]

describe('parseAddr', () => {
  for (const {error, input, want} of addrTable) {
    it(JSON.stringify(input), () => {
      if (error === undefined) assert.equal(parseAddr(input), want)
      else assert.equal(errorOf(() => parseAddr(input)), error)
    })
  }
})

describe('address families', () => {
  it('tells IPv4 from IPv6 as netip does', () => {
    assert.equal(isIPv4('192.0.2.1'), true)
    assert.equal(isIPv6('192.0.2.1'), false)
    assert.equal(isIPv6('2001:db8::1234'), true)
    assert.equal(isIPv4('::ffff:1.2.3.4'), false)
    assert.equal(isIPv6('::ffff:1.2.3.4'), true)
    assert.equal(isIPv4Mapped('::ffff:1.2.3.4'), true)
    assert.equal(isIPv4('hello'), false)
    assert.equal(isIPv6('hello'), false)
  })
})

describe('parsePrefix', () => {
  const table: Array<{error?: string; input: string; want?: string}> = [
    {input: '175.30.0.0/16', want: '175.30.0.0/16'},
    {input: '10.1.2.3/8', want: '10.1.2.3/8'},
    {input: 'FD00::/8', want: 'fd00::/8'},
    {error: 'netip.ParsePrefix("175.30.0.0"): no \'/\'', input: '175.30.0.0'},
    {error: 'netip.ParsePrefix("x/8"): ParseAddr("x"): unable to parse IP', input: 'x/8'},
    {error: 'netip.ParsePrefix("1.2.3.4/33"): prefix length out of range', input: '1.2.3.4/33'},
    {error: 'netip.ParsePrefix("1.2.3.4/08"): bad bits after slash: "08"', input: '1.2.3.4/08'},
    {error: 'netip.ParsePrefix("1.2.3.4/"): bad bits after slash: ""', input: '1.2.3.4/'},
    {error: 'netip.ParsePrefix("fe80::1%eth0/64"): IPv6 zones cannot be present in a prefix', input: 'fe80::1%eth0/64'},
  ]
  for (const {error, input, want} of table) {
    it(JSON.stringify(input), () => {
      if (error === undefined) assert.equal(parsePrefix(input), want)
      else assert.equal(errorOf(() => parsePrefix(input)), error)
    })
  }
})

describe('parsePflagIP', () => {
  it('parses like net.ParseIP of the trimmed value and prints net.IP.String', () => {
    assert.equal(parsePflagIP('0.0.0.0'), '0.0.0.0')
    assert.equal(parsePflagIP(' 127.0.0.1 '), '127.0.0.1')
    assert.equal(parsePflagIP('::ffff:1.2.3.4'), '1.2.3.4')
    assert.equal(parsePflagIP('2001:DB8::1'), '2001:db8::1')
    assert.equal(parsePflagIP(''), '')
  })

  it('rejects zones and garbage', () => {
    assert.equal(errorOf(() => parsePflagIP('fe80::1%eth0')), 'failed to parse IP: "fe80::1%eth0"')
    assert.equal(errorOf(() => parsePflagIP('hello')), 'failed to parse IP: "hello"')
  })
})
