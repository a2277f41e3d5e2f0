import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {OptsError} from '../../../src/opts/errors.js'
import {
  defaultHost,
  defaultTLSHost,
  normalizeHosts,
  parseDaemonHost,
  parseTCPAddr,
  validateExtraHost,
  validateHost,
} from '../../../src/opts/hosts.js'

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof OptsError, `expected OptsError, got ${String(error)}`)
    return error.message
  }

  assert.fail('expected an error')
}

// TestParseDockerDaemonHost (current), Linux constants.
const invalidHosts: Array<{error: string; input: string}> = [
  {error: 'invalid bind address (something with spaces): parse "tcp://something with spaces": invalid character " " in host name', input: 'something with spaces'},
  {error: "invalid bind address (://): unsupported proto ''", input: '://'},
  {error: "invalid bind address (unknown://): unsupported proto 'unknown'", input: 'unknown://'},
  {error: 'invalid bind address (tcp://:port): parse "tcp://:port": invalid port ":port" after host', input: 'tcp://:port'},
  {error: 'invalid bind address (tcp://invalid:port): parse "tcp://invalid:port": invalid port ":port" after host', input: 'tcp://invalid:port'},
  {error: 'invalid bind address (tcp://:5555/): should not contain a path element', input: 'tcp://:5555/'},
  {error: 'invalid bind address (tcp://:5555/p): should not contain a path element', input: 'tcp://:5555/p'},
  {error: 'invalid bind address (tcp://0.0.0.0:5555/): should not contain a path element', input: 'tcp://0.0.0.0:5555/'},
  {error: 'invalid bind address (tcp://0.0.0.0:5555/p): should not contain a path element', input: 'tcp://0.0.0.0:5555/p'},
  {error: 'invalid bind address (tcp://[::1]:/): should not contain a path element', input: 'tcp://[::1]:/'},
  {error: 'invalid bind address (tcp://[::1]:5555/): should not contain a path element', input: 'tcp://[::1]:5555/'},
  {error: 'invalid bind address (tcp://[::1]:5555/p): should not contain a path element', input: 'tcp://[::1]:5555/p'},
  {error: 'invalid bind address (tcp:a.b.c.d): parse "tcp://tcp:a.b.c.d": invalid port ":a.b.c.d" after host', input: 'tcp:a.b.c.d'},
  {error: 'invalid bind address (tcp:a.b.c.d/path): parse "tcp://tcp:a.b.c.d/path": invalid port ":a.b.c.d" after host', input: 'tcp:a.b.c.d/path'},
  {error: 'invalid bind address (tcp://127.0.0.1/): should not contain a path element', input: 'tcp://127.0.0.1/'},
  {error: "invalid bind address (udp://127.0.0.1): unsupported proto 'udp'", input: 'udp://127.0.0.1'},
  {error: "invalid bind address (udp://127.0.0.1:5555): unsupported proto 'udp'", input: 'udp://127.0.0.1:5555'},
  {error: 'invalid bind address (tcp://unix:///run/docker.sock): should not contain a path element', input: 'tcp://unix:///run/docker.sock'},
  {error: "invalid bind address ( tcp://:5555/path ): unsupported proto ' tcp'", input: ' tcp://:5555/path '},
  {error: "invalid bind address (): unsupported proto ''", input: ''},
  {error: 'invalid bind address ( ): parse "tcp:// ": invalid character " " in host name', input: ' '},
  {error: 'invalid bind address (:5555/path): should not contain a path element', input: ':5555/path'},
  {error: 'invalid bind address (0.0.0.1:5555/path): should not contain a path element', input: '0.0.0.1:5555/path'},
  {error: 'invalid bind address ([::1]:5555/path): should not contain a path element', input: '[::1]:5555/path'},
  {error: 'invalid bind address ([0:0:0:0:0:0:0:1]:5555/path): should not contain a path element', input: '[0:0:0:0:0:0:0:1]:5555/path'},
  {error: 'invalid bind address (tcp://:5555/path): should not contain a path element', input: 'tcp://:5555/path'},
  {error: 'invalid bind address (localhost:5555/path): should not contain a path element', input: 'localhost:5555/path'},
  {error: 'invalid bind address (unix://tcp://127.0.0.1): invalid unix address: tcp://127.0.0.1', input: 'unix://tcp://127.0.0.1'},
  {error: 'invalid bind address (unix://unix://tcp://127.0.0.1): invalid unix address: unix://tcp://127.0.0.1', input: 'unix://unix://tcp://127.0.0.1'},
]

const validHosts: Array<{input: string; want: string}> = [
  {input: ':', want: 'tcp://localhost:2375'},
  {input: ':5555', want: 'tcp://localhost:5555'},
  {input: '0.0.0.1:', want: 'tcp://0.0.0.1:2375'},
  {input: '0.0.0.1:5555', want: 'tcp://0.0.0.1:5555'},
  {input: '[::1]', want: 'tcp://[::1]:2375'},
  {input: '[::1]:', want: 'tcp://[::1]:2375'},
  {input: '[::1]:5555', want: 'tcp://[::1]:5555'},
  {input: '[0:0:0:0:0:0:0:1]', want: 'tcp://[0:0:0:0:0:0:0:1]:2375'},
  {input: '[0:0:0:0:0:0:0:1]:', want: 'tcp://[0:0:0:0:0:0:0:1]:2375'},
  {input: '[0:0:0:0:0:0:0:1]:5555', want: 'tcp://[0:0:0:0:0:0:0:1]:5555'},
  {input: 'localhost', want: 'tcp://localhost:2375'},
  {input: 'localhost:', want: 'tcp://localhost:2375'},
  {input: 'localhost:5555', want: 'tcp://localhost:5555'},
  {input: 'fd://', want: 'fd://'},
  {input: 'fd://something', want: 'fd://something'},
  {input: 'npipe://', want: 'npipe:////./pipe/docker_engine'},
  {input: 'npipe:////./pipe/foo', want: 'npipe:////./pipe/foo'},
  {input: 'tcp://host:', want: 'tcp://host:2375'},
  {input: 'tcp://', want: 'tcp://localhost:2375'},
  {input: 'tcp://:', want: 'tcp://localhost:2375'},
  {input: 'tcp://:5555', want: 'tcp://localhost:5555'},
  {input: 'tcp://[::1]', want: 'tcp://[::1]:2375'},
  {input: 'tcp://[::1]:', want: 'tcp://[::1]:2375'},
  {input: 'tcp://[::1]:5555', want: 'tcp://[::1]:5555'},
  {input: 'tcp://0.0.0.0:5555', want: 'tcp://0.0.0.0:5555'},
  {input: 'tcp://192.168:5555', want: 'tcp://192.168:5555'},
  {input: 'tcp://192.168.0.1:5555', want: 'tcp://192.168.0.1:5555'},
  {input: 'tcp://0.0.0.0:1234567890', want: 'tcp://0.0.0.0:1234567890'},
  {input: 'tcp://docker.com:5555', want: 'tcp://docker.com:5555'},
  {input: 'unix://', want: 'unix:///var/run/docker.sock'},
  {input: 'unix://path/to/socket', want: 'unix://path/to/socket'},
  {input: 'unix:///run/docker.sock', want: 'unix:///run/docker.sock'},
]

describe('parseDaemonHost', () => {
  for (const {error, input} of invalidHosts) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(errorOf(() => parseDaemonHost(input)), error)
    })
  }

  for (const {input, want} of validHosts) {
    it(`normalises ${JSON.stringify(input)}`, () => {
      assert.equal(parseDaemonHost(input), want)
    })
  }

  it('uses 127.0.0.1 for the default HTTP host on Windows', () => {
    const defaulted = new Set([':', ':5555', 'tcp://', 'tcp://:', 'tcp://:5555'])
    for (const {input, want} of validHosts) {
      const expected = defaulted.has(input) ? want.replace('localhost', '127.0.0.1') : want
      assert.equal(parseDaemonHost(input, {platform: 'win32'}), expected)
    }
  })

  it('rejects non-http(s) bracketed IPv4 literals and checks them with netip (Go 1.26 url.Parse)', () => {
    assert.equal(errorOf(() => parseDaemonHost('tcp://[1.2.3.4]:80')), 'invalid bind address (tcp://[1.2.3.4]:80): parse "tcp://[1.2.3.4]:80": invalid IP-literal')
    assert.equal(
      errorOf(() => parseDaemonHost('tcp://[foo]')),
      'invalid bind address (tcp://[foo]): parse "tcp://[foo]": invalid host: ParseAddr("foo"): unable to parse IP',
    )
    assert.equal(errorOf(() => parseDaemonHost('tcp://:0')), 'invalid bind address (tcp://:0): invalid port: 0')
    assert.equal(errorOf(() => parseDaemonHost('tcp://[::1')), 'invalid bind address (tcp://[::1): parse "tcp://[::1": missing \']\' in host')
    assert.equal(parseDaemonHost('tcp://[fe80::1%25eth0]:80'), 'tcp://[fe80::1%eth0]:80')
  })
})

// TestParseTCP: default tcp://127.0.0.1:8888.
const tcpInvalid: Array<{error: string; input: string}> = [
  {error: 'invalid bind address (tcp:a.b.c.d): parse "tcp://tcp:a.b.c.d": invalid port ":a.b.c.d" after host', input: 'tcp:a.b.c.d'},
  {error: 'invalid bind address (tcp:a.b.c.d/path): parse "tcp://tcp:a.b.c.d/path": invalid port ":a.b.c.d" after host', input: 'tcp:a.b.c.d/path'},
  {error: "invalid bind address (udp://127.0.0.1): unsupported proto 'udp'", input: 'udp://127.0.0.1'},
  {error: "invalid bind address (udp://127.0.0.1:5555): unsupported proto 'udp'", input: 'udp://127.0.0.1:5555'},
  {error: 'invalid bind address (:5555/path): should not contain a path element', input: ':5555/path'},
  {error: 'invalid bind address (0.0.0.1:5555/path): should not contain a path element', input: '0.0.0.1:5555/path'},
  {error: 'invalid bind address ([::1]:5555/path): should not contain a path element', input: '[::1]:5555/path'},
  {error: 'invalid bind address ([0:0:0:0:0:0:0:1]:5555/path): should not contain a path element', input: '[0:0:0:0:0:0:0:1]:5555/path'},
  {error: 'invalid bind address (tcp://:5555/path): should not contain a path element', input: 'tcp://:5555/path'},
  {error: 'invalid bind address (localhost:5555/path): should not contain a path element', input: 'localhost:5555/path'},
]

const tcpValid: Array<{input: string; want: string}> = [
  {input: '', want: 'tcp://127.0.0.1:8888'},
  {input: '0.0.0.1', want: 'tcp://0.0.0.1:8888'},
  {input: '0.0.0.1:', want: 'tcp://0.0.0.1:8888'},
  {input: '0.0.0.1:5555', want: 'tcp://0.0.0.1:5555'},
  {input: ':', want: 'tcp://127.0.0.1:8888'},
  {input: ':5555', want: 'tcp://127.0.0.1:5555'},
  {input: '[::1]', want: 'tcp://[::1]:8888'},
  {input: '[::1]:', want: 'tcp://[::1]:8888'},
  {input: '[::1]:5555', want: 'tcp://[::1]:5555'},
  {input: '[0:0:0:0:0:0:0:1]', want: 'tcp://[0:0:0:0:0:0:0:1]:8888'},
  {input: '[0:0:0:0:0:0:0:1]:', want: 'tcp://[0:0:0:0:0:0:0:1]:8888'},
  {input: '[0:0:0:0:0:0:0:1]:5555', want: 'tcp://[0:0:0:0:0:0:0:1]:5555'},
  {input: 'localhost', want: 'tcp://localhost:8888'},
  {input: 'localhost:', want: 'tcp://localhost:8888'},
  {input: 'localhost:5555', want: 'tcp://localhost:5555'},
  {input: 'tcp://', want: 'tcp://127.0.0.1:8888'},
  {input: 'tcp://:', want: 'tcp://127.0.0.1:8888'},
  {input: 'tcp://:5555', want: 'tcp://127.0.0.1:5555'},
]

const invalidDefaults: Array<{error: string; input: string}> = [
  {error: "invalid default address (localhost): unsupported proto ''", input: 'localhost'},
  {error: "invalid default address (udp://localhost): unsupported proto 'udp'", input: 'udp://localhost'},
  {error: 'invalid default address (tcp://localhost:noport): parse "tcp://localhost:noport": invalid port ":noport" after host', input: 'tcp://localhost:noport'},
  {error: 'invalid default address (tcp://localhost:5555/path): should not contain a path element', input: 'tcp://localhost:5555/path'},
]

describe('parseTCPAddr', () => {
  const def = 'tcp://127.0.0.1:8888'
  for (const {error, input} of tcpInvalid) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(errorOf(() => parseTCPAddr(input, def)), error))
  }

  for (const {input, want} of tcpValid) {
    it(`parses ${JSON.stringify(input)}`, () => assert.equal(parseTCPAddr(input, def), want))
  }

  for (const {error, input} of invalidDefaults) {
    it(`rejects default ${input}`, () => assert.equal(errorOf(() => parseTCPAddr('tcp://0.0.0.0:2375', input)), error))
  }

  it('needs a host and a non-zero port in the default', () => {
    assert.equal(errorOf(() => parseTCPAddr('', 'tcp://')), 'invalid default address (tcp://): no host or IP address')
    assert.equal(parseTCPAddr('', 'tcp://:2375'), 'tcp://:2375')
    assert.equal(errorOf(() => parseTCPAddr('', 'tcp://localhost')), 'invalid default address (tcp://localhost): invalid port: ')
  })
})

describe('validateHost', () => {
  it('allows empty and whitespace values and returns the value untrimmed', () => {
    assert.equal(validateHost(''), '')
    assert.equal(validateHost('   '), '   ')
    assert.equal(validateHost(' tcp://:5555 '), ' tcp://:5555 ')
  })

  it('reports the trimmed value in errors', () => {
    assert.equal(errorOf(() => validateHost(' udp://x ')), "invalid bind address (udp://x): unsupported proto 'udp'")
  })

  it('validates each host of the config (TestValidateConfigurationErrors "with invalid hosts")', () => {
    assert.equal(
      errorOf(() => validateHost('127.0.0.1:2375/path')),
      'invalid bind address (127.0.0.1:2375/path): should not contain a path element',
    )
    assert.equal(validateHost('tcp://127.0.0.1:2375'), 'tcp://127.0.0.1:2375')
  })
})

describe('normalizeHosts', () => {
  const linux = {defaultHost: defaultHost('linux'), platform: 'linux' as const, tls: false}
  it('applies the default socket, or the TLS host when TLS is on', () => {
    assert.deepEqual(normalizeHosts([], linux), ['unix:///var/run/docker.sock'])
    assert.deepEqual(normalizeHosts(['', '  '], linux), ['unix:///var/run/docker.sock'])
    assert.deepEqual(normalizeHosts([], {...linux, tls: true}), ['tcp://localhost:2376'])
    assert.deepEqual(normalizeHosts([], {defaultHost: defaultHost('win32'), platform: 'win32', tls: false}), ['npipe:////./pipe/docker_engine'])
    assert.equal(defaultTLSHost('win32'), 'tcp://127.0.0.1:2376')
  })

  it('sorts, de-duplicates, and keeps tcp:// on 2375 even with TLS', () => {
    assert.deepEqual(normalizeHosts(['unix://', 'tcp://', ':2375', 'fd://', 'unix:///var/run/docker.sock'], {...linux, tls: true}), [
      'fd://',
      'tcp://localhost:2375',
      'unix:///var/run/docker.sock',
    ])
  })

  it('parses hosts untrimmed', () => {
    assert.equal(errorOf(() => normalizeHosts([' tcp://:5555'], linux)), "invalid bind address ( tcp://:5555): unsupported proto ' tcp'")
  })
})

describe('validateExtraHost (TestValidateExtraHosts)', () => {
  for (const v of ['myhost:192.168.0.1', 'thathost:10.0.2.1', 'anipv6host:2003:ab34:e::1', 'ipv6local:::1', 'gw:host-gateway']) {
    it(`accepts ${v}`, () => assert.equal(validateExtraHost(v), v))
  }

  const invalid: Array<[string, string]> = [
    ['myhost:192.notanipaddress.1', 'invalid IP address in add-host: "192.notanipaddress.1"'],
    ['thathost-nosemicolon10.0.0.1', 'bad format for add-host: "thathost-nosemicolon10.0.0.1"'],
    ['anipv6host:::::1', 'invalid IP address in add-host: "::::1"'],
    ['ipv6local:::0::', 'invalid IP address in add-host: "::0::"'],
  ]
  for (const [v, error] of invalid) {
    it(`rejects ${v}`, () => assert.equal(errorOf(() => validateExtraHost(v)), error))
  }
})
