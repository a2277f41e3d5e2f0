import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {OptsError} from '../../../src/opts/errors.js'
import {validateHost} from '../../../src/opts/hosts.js'
import {validateLabel} from '../../../src/opts/labels.js'
import {validateDNSSearch} from '../../../src/opts/dns.js'
import {
  loadInsecureRegistry,
  maskURLCredentials,
  validateCgroupnsMode,
  validateExecOpt,
  validateExecOpts,
  validateFeatureConflicts,
  validateFirewallBackend,
  validateFwMark,
  validateGenericResource,
  validateGenericResources,
  validateHostGatewayIPs,
  validateInsecureRegistry,
  validateIpcMode,
  validateLogFormat,
  validateLogLevel,
  validateMirror,
  validateNumbers,
} from '../../../src/opts/validators.js'

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof OptsError, `expected OptsError, got ${String(error)}`)
    return error.message
  }

  assert.fail('expected an error')
}

// TestValidateConfigurationErrors (daemon/config/config_test.go), each row through the check it exercises.
describe('TestValidateConfigurationErrors rows', () => {
  const rows: Array<{check: () => unknown; error: string; name: string}> = [
    {check: () => validateLabel('one'), error: 'bad attribute format: one', name: 'single label without value'},
    {
      check: () => validateFeatureConflicts({'embedded-containerd': true}, true),
      error: 'conflicting options: cannot use the "embedded-containerd" feature and CRI support (--cri-containerd) at the same time',
      name: 'embedded-containerd with cri-containerd',
    },
    {check: () => ['foo=bar', 'one'].map((l) => validateLabel(l)), error: 'bad attribute format: one', name: 'multiple label without value'},
    {check: () => validateDNSSearch('123456'), error: '123456 is not a valid domain', name: 'single DNSSearch'},
    {check: () => ['a.b.c', '123456'].map((d) => validateDNSSearch(d)), error: '123456 is not a valid domain', name: 'multiple DNSSearch'},
    {check: () => validateNumbers({mtu: -10}), error: 'invalid default MTU: -10', name: 'negative MTU'},
    {check: () => validateNumbers({maxConcurrentDownloads: -10}), error: 'invalid max concurrent downloads: -10', name: 'negative max-concurrent-downloads'},
    {check: () => validateNumbers({maxConcurrentUploads: -10}), error: 'invalid max concurrent uploads: -10', name: 'negative max-concurrent-uploads'},
    {check: () => validateNumbers({maxDownloadAttempts: -10}), error: 'invalid max download attempts: -10', name: 'negative max-download-attempts'},
    {check: () => validateNumbers({defaultStopTimeout: -1}), error: 'invalid default stop timeout: -1', name: 'invalid default-stop-timeout'},
    {
      check: () => validateNumbers({networkDiagnosticPort: -1}),
      error: 'invalid network-diagnostic-port (-1): value must be between 0 and 65535',
      name: 'negative network-diagnostic-port',
    },
    {
      check: () => validateNumbers({networkDiagnosticPort: 65_536}),
      error: 'invalid network-diagnostic-port (65536): value must be between 0 and 65535',
      name: 'network-diagnostic-port out of range',
    },
    {
      check: () => validateGenericResources(['foo']),
      error: "could not parse GenericResource: incorrect term foo, missing '=' or malformed expression",
      name: 'generic resource without =',
    },
    {
      check: () => validateGenericResources(['foo=bar', 'foo=1']),
      error: "could not parse GenericResource: mixed discrete and named resources in expression 'foo=[bar 1]'",
      name: 'generic resource mixed named and discrete',
    },
    {
      check: () => validateHost('127.0.0.1:2375/path'),
      error: 'invalid bind address (127.0.0.1:2375/path): should not contain a path element',
      name: 'with invalid hosts',
    },
    {check: () => validateLogLevel('foobar'), error: 'invalid logging level: foobar', name: 'with invalid log-level'},
    {check: () => validateExecOpt('no-value', 'linux'), error: "invalid exec-opt (no-value): must be formatted 'opt=value'", name: 'exec-opt without value'},
    {check: () => validateExecOpt('empty-value=', 'linux'), error: "invalid exec-opt (empty-value=): must be formatted 'opt=value'", name: 'exec-opt with empty value'},
    {check: () => validateExecOpt('=empty-key', 'linux'), error: "invalid exec-opt (=empty-key): must be formatted 'opt=value'", name: 'exec-opt without key'},
    {
      check: () => validateExecOpt('unknown-option=any-value', 'linux'),
      error: "invalid exec-opt (unknown-option=any-value): unknown option: 'unknown-option'",
      name: 'exec-opt unknown option',
    },
    {
      check: () => validateExecOpt('isolation=default', 'linux'),
      error: "invalid exec-opt (isolation=default): option 'isolation' is only supported on windows",
      name: 'exec-opt invalid on linux',
    },
    {
      check: () => validateExecOpt('native.cgroupdriver=systemd', 'win32'),
      error: "invalid exec-opt (native.cgroupdriver=systemd): option 'native.cgroupdriver' is only supported on linux",
      name: 'exec-opt invalid on windows',
    },
    {
      check: () => validateMirror('ftp://example.com'),
      error: `invalid mirror: unsupported scheme "ftp" in "ftp://example.com": must use either 'https://' or 'http://'`,
      name: 'invalid mirror',
    },
  ]
  for (const {check, error, name} of rows) it(name, () => assert.equal(errorOf(check), error))
})

// TestValidateConfiguration: these pass.
describe('TestValidateConfiguration rows', () => {
  it('accepts the valid values', () => {
    assert.equal(validateLabel('one=two'), 'one=two')
    assert.equal(validateDNSSearch('a.b.c'), 'a.b.c')
    validateNumbers({maxConcurrentDownloads: 4, maxConcurrentUploads: 4, maxDownloadAttempts: 4, mtu: 1234})
    validateNumbers({defaultStopTimeout: 0, mtu: 0, networkDiagnosticPort: 65_535})
    assert.deepEqual(validateGenericResources(['foo=bar', 'foo=baz']), [
      {kind: 'named', name: 'foo', value: 'bar'},
      {kind: 'named', name: 'foo', value: 'baz'},
    ])
    assert.deepEqual(validateGenericResources(['foo=1']), [{kind: 'discrete', name: 'foo', value: 1}])
    assert.equal(validateHost('tcp://127.0.0.1:2375'), 'tcp://127.0.0.1:2375')
    validateLogLevel('warn')
    validateFeatureConflicts({'embedded-containerd': true}, false)
  })
})

describe('validateExecOpt', () => {
  it('returns the lower-cased key and trimmed value', () => {
    assert.deepEqual(validateExecOpt(' Native.CgroupDriver = systemd ', 'linux'), ['native.cgroupdriver', 'systemd'])
    assert.deepEqual(validateExecOpt('isolation=hyperv', 'win32'), ['isolation', 'hyperv'])
    assert.deepEqual(validateExecOpts(['native.cgroupdriver=cgroupfs', 'native.cgroupdriver=systemd'], 'linux'), {'native.cgroupdriver': 'systemd'})
  })

  it('rejects a blank value after trimming', () => {
    assert.equal(errorOf(() => validateExecOpt('isolation=  ', 'win32')), "invalid exec-opt (isolation=  ): must be formatted 'opt=value'")
  })
})

describe('validateMirror', () => {
  it('normalises to one trailing slash', () => {
    assert.equal(validateMirror('https://mirrors.example.com'), 'https://mirrors.example.com/')
    assert.equal(validateMirror('http://mirror.local:5000/'), 'http://mirror.local:5000/')
    assert.equal(validateMirror('https://m.example.com/path//'), 'https://m.example.com/path//')
  })

  const bad: Array<[string, string]> = [
    ['mirror.example.com', `invalid mirror: no scheme specified for "mirror.example.com": must use either 'https://' or 'http://'`],
    ['mirror.example.com:5000', `invalid mirror: no scheme specified for "mirror.example.com:5000": must use either 'https://' or 'http://'`],
    ['://mirror', `invalid mirror: no scheme specified for "://mirror": must use either 'https://' or 'http://'`],
    ['ftp://example.com', `invalid mirror: unsupported scheme "ftp" in "ftp://example.com": must use either 'https://' or 'http://'`],
    ['https://example.com/?q=1', 'invalid mirror: query or fragment at end of the URI "https://example.com/?q=1"'],
    ['https://example.com/#frag', 'invalid mirror: query or fragment at end of the URI "https://example.com/#frag"'],
    ['https://user:secret@example.com', 'invalid mirror: username/password not allowed in URI "https://user:xxxxx@example.com"'],
    ['https://user@example.com', 'invalid mirror: username/password not allowed in URI "https://user:xxxxx@example.com"'],
    ['https://exa mple.com', 'invalid mirror: "https://exa mple.com" is not a valid URI: parse "https://exa mple.com": invalid character " " in host name'],
  ]
  for (const [input, error] of bad) it(`rejects ${input}`, () => assert.equal(errorOf(() => validateMirror(input)), error))
})

describe('validateInsecureRegistry / loadInsecureRegistry', () => {
  it('normalises the index name and refuses hyphens at the ends', () => {
    assert.equal(validateInsecureRegistry('index.docker.io'), 'docker.io')
    assert.equal(validateInsecureRegistry('https://insecure-registry.example.com'), 'https://insecure-registry.example.com')
    assert.equal(validateInsecureRegistry('10.0.0.0/8'), '10.0.0.0/8')
    assert.equal(errorOf(() => validateInsecureRegistry('-registry')), 'invalid index name (-registry). Cannot begin or end with a hyphen')
    assert.equal(errorOf(() => validateInsecureRegistry('registry-')), 'invalid index name (registry-). Cannot begin or end with a hyphen')
  })

  it('classifies entries as the registry service does at start-up', () => {
    assert.deepEqual(loadInsecureRegistry('10.1.2.3/8'), {cidr: '10.0.0.0/8', kind: 'cidr'})
    assert.deepEqual(loadInsecureRegistry('myregistry:5000'), {kind: 'index', name: 'myregistry:5000'})
    assert.deepEqual(loadInsecureRegistry('[::1]:5000'), {kind: 'index', name: '[::1]:5000'})
    assert.deepEqual(loadInsecureRegistry('https://insecure-registry.example.com'), {
      kind: 'index',
      name: 'insecure-registry.example.com',
      warning: "insecure registry https://insecure-registry.example.com should not contain 'https' and 'httpss' has been removed from the insecure registry config",
    })
  })

  const bad: Array<[string, string]> = [
    ['ftp://x', "insecure registry ftp://x should not contain '://'"],
    ['bad_host', 'insecure registry bad_host is not valid: invalid host "bad_host"'],
    ['1.2.3.4:abc', 'insecure registry 1.2.3.4:abc is not valid: strconv.Atoi: parsing "abc": invalid syntax'],
    ['myhost:99999', 'insecure registry myhost:99999 is not valid: invalid port "99999"'],
  ]
  for (const [input, error] of bad) it(`rejects ${input}`, () => assert.equal(errorOf(() => loadInsecureRegistry(input)), error))
})

describe('validateGenericResource(s)', () => {
  it('checks single flag values for "="', () => {
    assert.equal(validateGenericResource('GPU=UUID1'), 'GPU=UUID1')
    assert.equal(errorOf(() => validateGenericResource('GPU:UUID1')), 'invalid node-generic-resource format `GPU:UUID1` expected `name=value`')
  })

  it('follows swarmkit genericresource.Parse', () => {
    assert.deepEqual(validateGenericResources([]), [])
    assert.deepEqual(validateGenericResources([' gpu = 2 ']), [{kind: 'discrete', name: 'gpu', value: 2}])
    assert.equal(errorOf(() => validateGenericResources(['a=b=c'])), "could not parse GenericResource: incorrect term a=b=c, missing '=' or malformed expression")
    assert.equal(errorOf(() => validateGenericResources(['gpu=-1'])), 'could not parse GenericResource: cannot ask for negative resource gpu')
    assert.equal(
      errorOf(() => validateGenericResources(['gpu=1', 'gpu=2'])),
      "could not parse GenericResource: mixed discrete and named resources in expression 'gpu=[1 2]'",
    )
  })
})

// TestValidateAcceptFwMarkMark (daemon/config/config_linux_test.go).
describe('validateFwMark', () => {
  for (const v of ['', '1', '0x1', '1/2', '0x1/0x2', '010/0xff']) it(`accepts ${JSON.stringify(v)}`, () => {
    validateFwMark(v)
  })
  it('returns the parsed numbers', () => {
    assert.equal(validateFwMark(''), undefined)
    assert.deepEqual(validateFwMark('010/0xff'), {mark: 8, mask: 255})
    assert.deepEqual(validateFwMark('0x1'), {mark: 1})
  })

  const bad: Array<[string, string]> = [
    ['hello/0x2', 'invalid firewall mark "hello/0x2": strconv.ParseUint: parsing "hello": invalid syntax'],
    ['1/hello', 'invalid firewall mask "1/hello": strconv.ParseUint: parsing "hello": invalid syntax'],
    ['1+hello', 'invalid firewall mark "1+hello": strconv.ParseUint: parsing "1+hello": invalid syntax'],
    ['1/', 'invalid firewall mask "1/": strconv.ParseUint: parsing "": invalid syntax'],
    ['-1', 'invalid firewall mark "-1": strconv.ParseUint: parsing "-1": invalid syntax'],
    ['0x100000000', 'invalid firewall mark "0x100000000": strconv.ParseUint: parsing "0x100000000": value out of range'],
  ]
  for (const [input, error] of bad) it(`rejects ${input}`, () => assert.equal(errorOf(() => validateFwMark(input)), error))
})

// TestDaemonConfigurationHostGatewayIP validation rows.
describe('validateHostGatewayIPs', () => {
  it('allows one address per family', () => {
    assert.deepEqual(validateHostGatewayIPs(['192.0.2.1']), ['192.0.2.1'])
    assert.deepEqual(validateHostGatewayIPs(['2001:db8::1234']), ['2001:db8::1234'])
    assert.deepEqual(validateHostGatewayIPs(['2001:db8::1234', '192.0.2.1']), ['2001:db8::1234', '192.0.2.1'])
    assert.deepEqual(validateHostGatewayIPs([]), [])
  })

  it('refuses two of a family', () => {
    assert.equal(errorOf(() => validateHostGatewayIPs(['192.0.2.1', '192.0.2.2'])), 'only one IPv4 host gateway IP address can be specified')
    assert.equal(errorOf(() => validateHostGatewayIPs(['2001:db8::1234', '2001:db8::5678'])), 'only one IPv6 host gateway IP address can be specified')
    assert.equal(errorOf(() => validateHostGatewayIPs(['::ffff:1.2.3.4', '2001:db8::1'])), 'only one IPv6 host gateway IP address can be specified')
  })

  it('reports unparsable addresses with netip text', () => {
    assert.equal(errorOf(() => validateHostGatewayIPs(['hello'])), 'ParseAddr("hello"): unable to parse IP')
  })
})

// TestMaskURLCredentials and TestSanitize.
describe('maskURLCredentials', () => {
  const table: Array<[string, string]> = [
    ['', ''],
    ['invalidURL', 'invalidURL'],
    ['http://proxy.example.com:80/', 'http://proxy.example.com:80/'],
    ['http://USER:PASSWORD@proxy.example.com:80/', 'http://xxxxx:xxxxx@proxy.example.com:80/'],
    ['http://PASSWORD:PASSWORD@proxy.example.com:80/', 'http://xxxxx:xxxxx@proxy.example.com:80/'],
    ['http://USER:@proxy.example.com:80/', 'http://xxxxx:xxxxx@proxy.example.com:80/'],
    ['http://:PASSWORD@proxy.example.com:80/', 'http://xxxxx:xxxxx@proxy.example.com:80/'],
    ['http://USER@docker:password@proxy.example.com:80/', 'http://xxxxx:xxxxx@proxy.example.com:80/'],
    ['http://USER%40docker:password@proxy.example.com:80/', 'http://xxxxx:xxxxx@proxy.example.com:80/'],
    ['http://USER%40docker:pa%3Fsword@proxy.example.com:80/', 'http://xxxxx:xxxxx@proxy.example.com:80/'],
    ['http://USER%40docker:pa%3Fsword@proxy.example.com:80/hello%20world', 'http://xxxxx:xxxxx@proxy.example.com:80/hello%20world'],
    ['https://myuser:mypassword@example.org', 'https://xxxxx:xxxxx@example.org'],
    ['http://user@[::1]:3128', 'http://xxxxx:xxxxx@[::1]:3128'],
    ['http://us er@x', 'http://us er@x'],
  ]
  for (const [input, want] of table) it(JSON.stringify(input), () => assert.equal(maskURLCredentials(input), want))
})

describe('log level and format', () => {
  it('accepts logrus levels case-insensitively, and ""', () => {
    for (const v of ['', 'panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'DEBUG', 'Warn']) validateLogLevel(v)
  })

  it('rejects others, including "warning"', () => {
    assert.equal(errorOf(() => validateLogLevel('warning')), 'invalid logging level: warning')
    assert.equal(errorOf(() => validateLogLevel('foobar')), 'invalid logging level: foobar')
  })

  it('accepts "", text and json only', () => {
    for (const v of ['', 'text', 'json']) validateLogFormat(v)
    assert.equal(errorOf(() => validateLogFormat('foo')), 'invalid log format: foo')
    assert.equal(errorOf(() => validateLogFormat('JSON')), 'invalid log format: JSON')
  })
})

describe('Linux mode checks', () => {
  it('default-ipc-mode', () => {
    for (const v of ['', 'private', 'shareable']) validateIpcMode(v)
    assert.equal(errorOf(() => validateIpcMode('bogus')), 'default IPC mode setting (bogus) is invalid; use "shareable" or "private"')
    assert.equal(errorOf(() => validateIpcMode('host')), 'IPC mode "host" is not supported as default value; use "shareable" or "private"')
    assert.equal(errorOf(() => validateIpcMode('container:x')), 'IPC mode "container:x" is not supported as default value; use "shareable" or "private"')
  })

  it('default-cgroupns-mode', () => {
    for (const v of ['', 'host', 'private']) validateCgroupnsMode(v)
    assert.equal(errorOf(() => validateCgroupnsMode('shared')), 'invalid default cgroup namespace (shared): use "host" or "private"')
  })

  it('firewall-backend', () => {
    for (const v of ['', 'iptables', 'nftables']) validateFirewallBackend(v, 'linux')
    assert.equal(errorOf(() => validateFirewallBackend('ufw', 'linux')), 'invalid firewall-backend: allowed values are "iptables" and "nftables"')
    validateFirewallBackend('', 'win32')
    assert.equal(errorOf(() => validateFirewallBackend('iptables', 'win32')), 'firewall-backend can only be configured on Linux')
  })
})
