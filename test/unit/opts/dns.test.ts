import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {OptsError} from '../../../src/opts/errors.js'
import {validateDNSSearch} from '../../../src/opts/dns.js'

// TestValidateDNSSearch (daemon/pkg/opts/opts_test.go).
const valid = [
  '.',
  'a',
  'a.',
  '1.foo',
  '17.foo',
  'foo.bar',
  'foo.bar.baz',
  'foo.bar.',
  'foo.bar.baz',
  'foo1.bar2',
  'foo1.bar2.baz',
  '1foo.2bar.',
  '1foo.2bar.baz',
  'foo-1.bar-2',
  'foo-1.bar-2.baz',
  'foo-1.bar-2.',
  'foo-1.bar-2.baz',
  '1-foo.2-bar',
  '1-foo.2-bar.baz',
  '1-foo.2-bar.',
  '1-foo.2-bar.baz',
]

const invalid = [
  '',
  ' ',
  '  ',
  '17',
  '17.',
  '.17',
  '17-.',
  '17-.foo',
  '.foo',
  'foo-.bar',
  '-foo.bar',
  'foo.bar-',
  'foo.bar-.baz',
  'foo.-bar',
  'foo.-bar.baz',
  'foo.bar.baz.this.should.fail.on.long.name.because.it.is.longer.thanitshouldbethis.should.fail.on.long.name.because.it.is.longer.thanitshouldbethis.should.fail.on.long.name.because.it.is.longer.thanitshouldbethis.should.fail.on.long.name.because.it.is.longer.thanitshouldbe',
]

describe('validateDNSSearch', () => {
  for (const domain of valid) {
    it(`accepts ${JSON.stringify(domain)}`, () => {
      const ret = validateDNSSearch(domain)
      assert.notEqual(ret, '')
      assert.equal(ret, domain === '.' ? '.' : domain.replace(/\.$/, ''))
    })
  }

  for (const domain of invalid) {
    it(`rejects ${JSON.stringify(domain.slice(0, 40))}`, () => {
      assert.throws(
        () => validateDNSSearch(domain),
        (error: unknown) => error instanceof OptsError && error.message === `${domain.trim()} is not a valid domain`,
      )
    })
  }

  // TestValidateConfigurationErrors / TestValidateConfiguration dns-search rows.
  it('reports the failing entry as config.Validate does', () => {
    assert.throws(() => validateDNSSearch('123456'), {message: '123456 is not a valid domain'})
    assert.equal(validateDNSSearch('a.b.c'), 'a.b.c')
  })

  it('trims spaces, and keeps the regexp quirks (colons, trailing whitespace)', () => {
    assert.equal(validateDNSSearch('  foo.bar  '), 'foo.bar')
    assert.equal(validateDNSSearch('foo.bar.\t'), 'foo.bar')
    assert.equal(validateDNSSearch(':foo:.:bar'), ':foo:.:bar')
    assert.throws(() => validateDNSSearch('foo..bar'), {message: 'foo..bar is not a valid domain'})
    assert.throws(() => validateDNSSearch('a'.repeat(255)), {message: `${'a'.repeat(255)} is not a valid domain`})
    assert.equal(validateDNSSearch('a'.repeat(254) + '.'), 'a'.repeat(254))
  })
})
