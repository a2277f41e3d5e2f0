import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {optionTable} from '../../../src/options/index.js'
import {load} from '../../helpers/config.js'

// The choices as the option table declares them (the hint lists exactly these).
const LOG_LEVELS = (optionTable('linux', []).get('log-level').enum ?? []).map((v) => JSON.stringify(v)).join(', ')
const CONFLICT = 'the following directives are specified both as a flag and in the configuration file'
const UNKNOWN = "the following directives don't match any configuration option"

/** Rows of moby's tables (dockerd-spec §8.1–8.3) plus 20.10's observed texts (real-dockerd.md §2). */
describe('loadConfig: values (§8.1, §8.3)', () => {
  const rows: Array<{name: string; argv?: string[]; file?: string; want: Record<string, unknown>}> = [
    {argv: ['--debug'], name: 'WithoutOverriding', want: {debug: true}},
    {argv: ['--tls', '--tlscacert=/tmp/ca.pem'], name: 'WithTLS', want: {tlscacert: '/tmp/ca.pem'}},
    {file: '{"log-level": "warn"}', name: 'WithLogLevel', want: {'log-level': 'warn'}},
    {file: '{"log-format": "json"}', name: 'WithLogFormat', want: {'log-format': 'json'}},
    {file: '{"tlscacert": "/etc/certs/ca.pem", "log-driver": "syslog"}', name: 'WithEmbeddedOptions', want: {'log-driver': 'syslog', tlscacert: '/etc/certs/ca.pem'}},
    {
      file: '{"registry-mirrors": ["https://mirrors.example.com"], "insecure-registries": ["https://insecure-registry.example.com"]}',
      name: 'WithRegistryOptions',
      want: {'insecure-registry': ['https://insecure-registry.example.com'], 'registry-mirror': ['https://mirrors.example.com']},
    },
    {
      argv: ['--debug', '--log-level=info', '--selinux-enabled=true'],
      file: '{"log-opts": {"max-size": "1k"}}',
      name: 'WithDaemonFlags',
      want: {debug: true, 'log-driver': 'json-file', 'log-level': 'info', 'log-opt': {'max-size': '1k'}, 'selinux-enabled': true},
    },
    {file: '{"bip": "127.0.0.2/8", "bip6": "fd98:e5f2:e637::1/64", "ip": "127.0.0.1"}', name: 'WithNetwork', want: {bip: '127.0.0.2/8', bip6: 'fd98:e5f2:e637::1/64', ip: '127.0.0.1'}},
    {file: '{"log-opts": {"tag": "test"}}', name: 'WithMapOptions', want: {'log-opt': {tag: 'test'}}},
    {file: '{ "userland-proxy": false }', name: 'WithTrueDefaultValues', want: {'userland-proxy': false}},
    {file: '{}', name: 'WithTrueDefaultValuesLeaveDefaults', want: {'userland-proxy': true}},
    {argv: ['--label', 'foo=the-same', '--label', 'foo=the-same'], name: 'WithDuplicateLabels', want: {label: ['foo=the-same']}},
    {file: '{"max-concurrent-downloads": 1}', name: 'MergeConcurrent', want: {'max-concurrent-downloads': 1}},
    {file: '{"default-stop-timeout": 42}', name: 'DefaultStopTimeout 42', want: {'default-stop-timeout': 42}},
    {file: '{"default-stop-timeout": 0}', name: 'DefaultStopTimeout 0 is honoured', want: {'default-stop-timeout': 0}},
    {file: '{"shutdown-timeout": 0, "mtu": 0, "log-driver": ""}', name: 'zero means unset', want: {'log-driver': 'json-file', mtu: 1500, 'shutdown-timeout': 15}},
    {file: '{"max-concurrent-uploads": null}', name: 'null means unset', want: {'max-concurrent-uploads': 5}},
    {
      argv: ['--restart=true', '--log-driver=syslog', '--log-opt', 'tag=from_flag'],
      file: '{"debug": true, "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 2048, "Soft": 1024}}}',
      name: 'DaemonConfigurationMerge',
      want: {debug: true, 'default-ulimit': {nofile: {Hard: 2048, Name: 'nofile', Soft: 1024}}, 'log-driver': 'syslog', 'log-opt': {tag: 'from_flag'}},
    },
    {file: '{"default-shm-size": "1g"}', name: 'MergeShmSize', want: {'default-shm-size': 1_073_741_824}},
    {argv: ['--default-shm-size=128M'], name: 'ParseShmSize flag', want: {'default-shm-size': 134_217_728}},
    {name: 'ParseShmSize default', want: {'default-shm-size': 67_108_864}},
    {file: '{"features": {"containerd-snapshotter": true}}', name: 'Features file', want: {feature: {'containerd-snapshotter': true}}},
    {argv: ['--feature', 'containerd-snapshotter=false'], file: '{}', name: 'Features flag', want: {feature: {'containerd-snapshotter': false}}},
    {argv: ['--host-gateway-ip', '192.0.2.1'], file: '{}', name: 'HostGatewayIP flag', want: {'host-gateway-ip': ['192.0.2.1']}},
    {file: '{"host-gateway-ip": "2001:db8::1234"}', name: 'HostGatewayIP legacy key', want: {'host-gateway-ip': ['2001:db8::1234']}},
    {file: '{"host-gateway-ips": ["192.0.2.1", "2001:db8::1234"]}', name: 'HostGatewayIPs', want: {'host-gateway-ip': ['192.0.2.1', '2001:db8::1234']}},
    {argv: ['--default-address-pool', 'base=10.123.0.0/16,size=24'], file: '{}', name: 'AddressPools flag', want: {'default-address-pool': [{base: '10.123.0.0/16', size: 24}]}},
    {file: '{"default-address-pools":[{"base": "10.123.0.0/16", "size": 24 }]}', name: 'AddressPools file', want: {'default-address-pool': [{base: '10.123.0.0/16', size: 24}]}},
    {file: '{"deprecated-key-path": "/etc/docker/key.json"}', name: 'LegacyOptions key path', want: {}},
    {file: '{"allow-nondistributable-artifacts": ["127.0.0.0/8", "10.10.1.11:5000"]}', name: 'LegacyOptions artifacts', want: {}},
    {file: '{"graph": "/srv/docker"}', name: '20.10 graph key', want: {'data-root': '/srv/docker'}},
    {argv: ['-g', '/srv/docker'], name: '1.12 -g flag', want: {'data-root': '/srv/docker'}},
    {file: '{"proxies": {"http-proxy": "http://p:3128", "no-proxy": "example.com"}}', name: 'nested proxies', want: {'http-proxy': 'http://p:3128', 'no-proxy': 'example.com'}},
    {file: '{"http-proxy": "http://p:3128"}', name: 'top-level http-proxy accepted and ignored', want: {'http-proxy': undefined}},
    {file: '{"anything": {"debug": true}}', name: 'any object is flattened one level', want: {debug: undefined}},
    {file: '\uFEFF{"debug": true}', name: 'UTF-8 BOM', want: {debug: true}},
    {file: '', name: 'empty file', want: {}},
    {file: '  \n', name: 'whitespace file', want: {}},
    {file: '{"min-api-version": "1.24", "builder": {"gc": {"enabled": true}}}', name: 'file-only options', want: {'min-api-version': '1.24'}},
  ]
  for (const row of rows) {
    it(row.name, () => {
      const got = load({argv: row.argv, file: row.file})
      assert.equal(got.text, '')
      for (const [k, v] of Object.entries(row.want)) assert.deepEqual(got.config!.values[k], v, k)
    })
  }

  it('UTF-16 with BOM (LE and BE)', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"debug": true}', 'utf16le')])
    const be = Buffer.from(le.subarray(2)).swap16()
    for (const file of [le, Buffer.concat([Buffer.from([0xfe, 0xff]), be])]) assert.equal(load({file}).config!.values.debug, true)
  })

  it('TLS decision (§6.6)', () => {
    const tls = (c: Parameters<typeof load>[0]) => load(c).config!.tls
    assert.equal(tls({argv: ['--tlscacert=/tmp/ca.pem'], file: '{"tlsverify": true}'}).enabled, true)
    assert.deepEqual(
      (({enabled, verify}) => ({enabled, verify}))(tls({argv: ['--tlscacert=/tmp/ca.pem'], file: '{"tlsverify": false}'})),
      {enabled: true, verify: false},
    )
    assert.equal(tls({argv: ['--tlscacert=/tmp/ca.pem'], file: '{}'}).enabled, false)
    assert.deepEqual((({enabled, verify}) => ({enabled, verify}))(tls({argv: ['--tls']})), {enabled: true, verify: true})
    assert.deepEqual((({enabled, verify}) => ({enabled, verify}))(tls({argv: ['--tlsverify=false']})), {enabled: true, verify: false})
    assert.equal(tls({argv: ['--tls=false']}).enabled, false)
    assert.equal(tls({env: {DOCKER_TLS_VERIFY: '1'}}).enabled, false)
  })

  it('hosts: default socket, TLS default, sorted and de-duplicated', () => {
    assert.deepEqual(load({}).config!.hosts, ['unix:///var/run/docker.sock'])
    assert.deepEqual(load({argv: ['--tlsverify']}).config!.hosts, ['tcp://localhost:2376'])
    assert.deepEqual(load({argv: ['-H', 'tcp://', '-H', 'unix:///b', '-H', 'unix:///a', '-H', 'unix:///a']}).config!.hosts, [
      'tcp://localhost:2375',
      'unix:///a',
      'unix:///b',
    ])
  })
})

describe('loadConfig: problems (§8.1–8.3, real-dockerd.md §2)', () => {
  const rows: Array<{name: string; argv?: string[]; file?: string | Buffer; text: string | RegExp}> = [
    {argv: ['--label', 'l1=bar', '--label', 'l2=baz'], file: '{"labels": ["l3=foo"]}', name: 'WithConflicts', text: `unable to configure the Docker daemon with file <file>: ${CONFLICT}: labels: (from flag: [l1=bar l2=baz], from file: [l3=foo])\n  <file>:1:2: "labels" is also given on the command line as --label\n`},
    {argv: ['--node-generic-resource', 'r1=bar', '--node-generic-resource', 'r2=baz'], file: '{"node-generic-resources": ["foo=bar", "bar=baz"]}', name: 'ConflictingNodeGenericResources', text: /as a flag and in the configuration file: node-generic-resources/},
    {argv: ['--label', 'foo=bar', '--label', 'foo=baz'], name: 'ConflictingLabels', text: 'conflict labels for foo=baz and foo=bar\n'},
    {file: '{"log-format": "foo"}', name: 'InvalidLogFormat', text: /invalid log format: foo/},
    {argv: ['--authorization-plugin=asdf'], file: '{"authorization-plugins": ["foobar"]}', name: 'FindConfigurationConflicts', text: /authorization-plugins: \(from flag: \[asdf\], from file: \[foobar\]\)/},
    {argv: ['-H', 'tcp://127.0.0.1:4444', '-H', 'unix:///var/run/docker.sock'], file: '{"hosts": ["qwer"]}', name: 'ConflictsWithNamedOptions', text: /: hosts: \(from flag: \[tcp:\/\/127.0.0.1:4444 unix:\/\/\/var\/run\/docker.sock\], from file: \[qwer\]\)/},
    {argv: ['--debug=false'], file: '{"debug": true}', name: 'MergeConflicts', text: /: debug: \(from flag: false, from file: true\)/},
    {file: '{"max-concurrent-downloads": -1}', name: 'MergeConcurrentError', text: 'unable to configure the Docker daemon with file <file>: merged configuration validation from file and command line flags failed: invalid max concurrent downloads: -1\n  <file>:1:2: "max-concurrent-downloads"\n'},
    {argv: ['--tlscacert', '/home/x/.docker/ca.pem'], file: '{"tlscacert": "/etc/certificates/ca.pem"}', name: 'ConflictsWithInnerStructs', text: new RegExp(`${CONFLICT}: tlscacert`)},
    {argv: ['--default-address-pool', 'base=10.123.0.0/16,size=24'], file: '{"default-address-pools":[{"base": "10.123.0.0/16", "size": 24 }]}', name: 'AddressPools conflict', text: new RegExp(`${CONFLICT}: default-address-pools`)},
    {file: '{"tls-verify": "true"}', name: 'UnknownKeys', text: `unable to configure the Docker daemon with file <file>: ${UNKNOWN}: tls-verify\n  <file>:1:2: unknown directive "tls-verify": did you mean "tlsverify"?\n`},
    {argv: ['-H', 'unix:///var/run/docker.sock'], file: '{"hosts": "tcp://127.0.0.1:2345"}', name: 'ConflictsWithMergedValues', text: /hosts: \(from flag: \[unix:\/\/\/var\/run\/docker.sock\], from file: tcp:\/\/127.0.0.1:2345\)/},
    {argv: ['--feature', 'containerd-snapshotter=true'], file: '{"features": {"containerd-snapshotter": true}}', name: 'Features conflict', text: /features: \(from flag: map\[containerd-snapshotter:true\], from file: map\[containerd-snapshotter:true\]\)/},
    {file: '{"features": {"containerd-snapshotter": "not-a-boolean"}}', name: 'Features type', text: /json: cannot unmarshal string into Go struct field/},
    {argv: ['--host-gateway-ip', '192.0.2.1', '--host-gateway-ip', '192.0.2.2'], file: '{}', name: 'HostGateway two v4', text: /merged configuration validation from file and command line flags failed: only one IPv4 host gateway IP address can be specified/},
    {argv: ['--host-gateway-ip', '2001:db8::1234', '--host-gateway-ip', '2001:db8::5678'], file: '{}', name: 'HostGateway two v6', text: /only one IPv6 host gateway IP address can be specified/},
    {file: '{"host-gateway-ips": ["192.0.2.1", "192.0.2.2"]}', name: 'HostGateway file two v4', text: /only one IPv4 host gateway IP address can be specified/},
    {argv: ['--host-gateway-ip', 'hello'], name: 'HostGateway bad flag', text: `Status: invalid argument "hello" for "--host-gateway-ip" flag: ParseAddr("hello"): unable to parse IP\nSee 'dockerd --help'., Code: 125\n`},
    {file: '{"host-gateway-ips": "192.0.2.1"}', name: 'HostGateway wrong type', text: /json: cannot unmarshal string into Go struct field/},
    {file: '{"host-gateway-ip": "192.0.2.1", "host-gateway-ips": ["192.0.2.1"]}', name: 'HostGateway both keys', text: /host-gateway-ip and host-gateway-ips must not both be specified in the config file/},
    {argv: ['--host-gateway-ip', '192.0.2.1'], file: '{"host-gateway-ip": "192.0.2.2"}', name: 'HostGateway legacy conflict', text: new RegExp(`${CONFLICT}: host-gateway-ip: \\(from flag: \\[192.0.2.1\\], from file: 192.0.2.2\\)`)},
    {argv: ['--host-gateway-ip', '192.0.2.1'], file: '{"host-gateway-ips": ["192.0.2.2", "2001:db8::1234"]}', name: 'HostGateway conflict', text: /host-gateway-ips: \(from flag: \[192.0.2.1\], from file: \[192.0.2.2 2001:db8::1234\]\)/},
    {file: '{"bridge-accept-fwmark": "hello/0x2"}', name: 'fwmark', text: /invalid bridge-accept-fwmark: invalid firewall mark "hello\/0x2": strconv.ParseUint: parsing "hello": invalid syntax/},
    {argv: ['--debug'], file: '{"debug": true}', name: '20.10 debug conflict', text: new RegExp(`${CONFLICT}: debug: \\(from flag: true, from file: true\\)`)},
    {argv: ['--log-level=debug'], file: '{"log-level":"warn"}', name: '20.10 log-level conflict', text: /log-level: \(from flag: debug, from file: warn\)/},
    {argv: ['--debug', '--label', 'x=y', '--log-level=error'], file: '{"debug": true, "labels": ["a=b"], "log-level": "warn"}', name: 'three conflicts sorted', text: /: debug: \(from flag: true, from file: true\), labels: \(from flag: \[x=y\], from file: \[a=b\]\), log-level: \(from flag: error, from file: warn\)\n/},
    {argv: ['-H', 'fd://'], file: '{"hosts": ["tcp://127.0.0.1:2375"]}', name: 'systemd hosts hint', text: /hosts: \(from flag: \[fd:\/\/\], from file: \[tcp:\/\/127.0.0.1:2375\]\)\n.*\n  hint: -H fd:\/\/ usually comes from the systemd unit/},
    {file: '{"bogus-key": 1}', name: 'unknown key', text: new RegExp(`${UNKNOWN}: bogus-key\\n`)},
    {file: '{"zzz":1,"aaa":2,"mmm":3}', name: 'unknown keys sorted', text: new RegExp(`${UNKNOWN}: aaa, mmm, zzz\\n`)},
    {file: '{"log-opts":{"max-size":"1m"},"bogus":{"a":1}}', name: 'nested unknown is the inner key', text: new RegExp(`${UNKNOWN}: a\\n  <file>:1:40: unknown directive "a"`)},
    {file: '{"Debug": true, "log-levl": "x"}', name: 'did you mean', text: /"Debug": did you mean "debug"\?[\s\S]*"log-levl": did you mean "log-level"\?/},
    {file: '{"containerd-plugin-namespace": "x"}', name: 'JSON tag is not a key', text: new RegExp(`${UNKNOWN}: containerd-plugin-namespace`)},
    {file: '{"debug": true,', name: 'truncated JSON', text: 'unable to configure the Docker daemon with file <file>: invalid JSON: unexpected end of JSON input\n  <file>:1:16: here\n'},
    {file: '{wrong: "configuration"}', name: 'bad key', text: /invalid JSON: invalid character 'w' looking for beginning of object key string\n  <file>:1:2: here/},
    {file: 'not json at all', name: 'not JSON', text: /invalid JSON: invalid character 'o' in literal null \(expecting 'u'\)/},
    {file: '{\n  "debug": true\n  "mtu": 1\n}', name: 'line and column', text: /invalid JSON: invalid character '"' after object key:value pair\n  <file>:3:3: here/},
    {file: '[]', name: 'not an object', text: /json: cannot unmarshal array into Go value of type map\[string\]interface \{\}/},
    {file: '{"debug": "yes"}', name: 'wrong type', text: /json: cannot unmarshal string into Go struct field Config.debug of type bool\n  <file>:1:2: "debug"/},
    {file: '{"labels": "a=b"}', name: 'wrong type list', text: /json: cannot unmarshal string into Go struct field Config.labels of type \[\]string/},
    {file: '{"mtu": 1.5}', name: 'non-integer', text: /json: cannot unmarshal number 1.5 into Go struct field Config.mtu of type int/},
    {file: '{"labels": ["novalue"]}', name: 'label without =', text: /failed: bad attribute format: novalue/},
    {file: '{"log-level": "bogus"}', name: 'bad log level', text: /invalid logging level: bogus/},
    {file: '{"labels": ["a=b","a=c"]}', name: 'label conflict in file', text: 'conflict labels for a=c and a=b\n'},
    {file: Buffer.from([...Buffer.from('{"debug": true} '), 0xff]), name: 'invalid UTF-8', text: /failed to decode configuration JSON at offset \d+: encoding: invalid UTF-8/},
    {argv: ['--mtu', 'abc'], name: 'bad int', text: `Status: invalid argument "abc" for "--mtu" flag: strconv.ParseInt: parsing "abc": invalid syntax\nSee 'dockerd --help'., Code: 125\n`},
    {argv: ['--label', 'novalue'], name: 'bad label flag', text: /Status: invalid argument "novalue" for "--label" flag: bad attribute format: novalue/},
    {argv: ['-H', 'udp://x'], name: 'bad host flag', text: /Status: invalid argument "udp:\/\/x" for "-H, --host" flag: invalid bind address \(udp:\/\/x\): unsupported proto 'udp'/},
    {argv: ['--graph', '/a', '--data-root', '/b'], name: 'graph and data-root', text: 'cannot specify both --graph and --data-root\n'},
    {file: '{"min-api-version": "v1.40"}', name: 'min api version', text: /API version must be provided without "v" prefix/},
    // Issue 11.6: an invalid value from the file says where it is; enum-like options list their values.
    {
      file: '{\n  "debug": true,\n  "log-level": "verbose"\n}',
      name: 'invalid file value: position and valid values',
      text: `unable to configure the Docker daemon with file <file>: merged configuration validation from file and command line flags failed: invalid logging level: verbose\n  <file>:3:3: "log-level"\n  valid values: ${LOG_LEVELS}\n`,
    },
    {file: '{"default-cgroupns-mode": "hots"}', name: 'cgroupns mode values', text: /use "host" or "private"\n  <file>:1:2: "default-cgroupns-mode"\n  valid values: "host", "private"\n$/},
    {file: '{"firewall-backend": "pf"}', name: 'firewall backend values', text: /<file>:1:2: "firewall-backend"\n  valid values: "iptables", "nftables"\n$/},
    {file: '{"default-ipc-mode": "host"}', name: 'ipc mode values', text: /<file>:1:2: "default-ipc-mode"\n  valid values: "shareable", "private"\n$/},
    {argv: ['--log-format', 'xml'], name: 'flag value: valid values, no position', text: 'invalid log format: xml\n  valid values: "text", "json"\n'},
    {argv: ['--log-format', 'xml'], file: '{"log-level": "info"}', name: 'flag value with a file: not the file\'s position', text: /failed: invalid log format: xml\n  valid values: "text", "json"\n$/},
  ]
  for (const row of rows) {
    it(row.name, () => {
      const got = load({argv: row.argv, file: row.file})
      assert.equal(got.config, undefined)
      if (typeof row.text === 'string') assert.equal(got.text, row.text)
      else assert.match(got.text, row.text)
    })
  }

  it('reports every kind of problem at once', () => {
    const got = load({argv: ['--debug'], file: '{"debug": true, "bogus": 1, "mtu": "x"}'})
    assert.match(got.text, /don't match any configuration option: bogus/)
    assert.match(got.text, /specified both as a flag and in the configuration file: debug/)
    assert.match(got.text, /cannot unmarshal string into Go struct field Config.mtu of type int/)
  })
})

describe('loadConfig: validation table (TestValidateConfigurationErrors)', () => {
  const rows: Array<[string, string]> = [
    ['{"labels": ["one"]}', 'bad attribute format: one'],
    ['{"labels": ["foo=bar", "one"]}', 'bad attribute format: one'],
    ['{"features": {"embedded-containerd": true}, "cri-containerd": true}', 'conflicting options: cannot use the "embedded-containerd" feature and CRI support (--cri-containerd) at the same time'],
    ['{"dns-search": ["123456"]}', '123456 is not a valid domain'],
    ['{"dns-search": ["a.b.c", "123456"]}', '123456 is not a valid domain'],
    ['{"mtu": -10}', 'invalid default MTU: -10'],
    ['{"max-concurrent-downloads": -10}', 'invalid max concurrent downloads: -10'],
    ['{"max-concurrent-uploads": -10}', 'invalid max concurrent uploads: -10'],
    ['{"max-download-attempts": -10}', 'invalid max download attempts: -10'],
    ['{"default-stop-timeout": -1}', 'invalid default stop timeout: -1'],
    ['{"network-diagnostic-port": -1}', 'invalid network-diagnostic-port (-1): value must be between 0 and 65535'],
    ['{"network-diagnostic-port": 65536}', 'invalid network-diagnostic-port (65536): value must be between 0 and 65535'],
    ['{"node-generic-resources": ["foo"]}', "could not parse GenericResource: incorrect term foo, missing '=' or malformed expression"],
    ['{"node-generic-resources": ["foo=bar", "foo=1"]}', "could not parse GenericResource: mixed discrete and named resources in expression 'foo=[bar 1]'"],
    ['{"hosts": ["127.0.0.1:2375/path"]}', 'invalid bind address (127.0.0.1:2375/path): should not contain a path element'],
    ['{"log-level": "foobar"}', 'invalid logging level: foobar'],
    ['{"exec-opts": ["no-value"]}', "invalid exec-opt (no-value): must be formatted 'opt=value'"],
    ['{"exec-opts": ["empty-value="]}', "invalid exec-opt (empty-value=): must be formatted 'opt=value'"],
    ['{"exec-opts": ["=empty-key"]}', "invalid exec-opt (=empty-key): must be formatted 'opt=value'"],
    ['{"exec-opts": ["unknown-option=any-value"]}', "invalid exec-opt (unknown-option=any-value): unknown option: 'unknown-option'"],
    ['{"exec-opts": ["isolation=default"]}', "invalid exec-opt (isolation=default): option 'isolation' is only supported on windows"],
    ['{"registry-mirrors": ["ftp://example.com"]}', `invalid mirror: unsupported scheme "ftp" in "ftp://example.com": must use either 'https://' or 'http://'`],
  ]
  for (const [file, message] of rows) {
    it(message, () => {
      const [head, ...hints] = load({file}).text.trimEnd().split('\n')
      assert.equal(head, `unable to configure the Docker daemon with file <file>: merged configuration validation from file and command line flags failed: ${message}`)
      // Where the value is (issue 11.6): every row has one key, at line 1, column 2 (a rule about
      // two options together is not one value's).
      if (!message.startsWith('conflicting options')) assert.equal(hints[0], `  <file>:1:2: ${JSON.stringify(Object.keys(JSON.parse(file) as object)[0])}`)
    })
  }

  const valid = [
    '{"labels": ["one=two"]}',
    '{"dns-search": ["a.b.c"]}',
    '{"mtu": 1234}',
    '{"max-concurrent-downloads": 4}',
    '{"max-concurrent-uploads": 4}',
    '{"max-download-attempts": 4}',
    '{"node-generic-resources": ["foo=bar", "foo=baz"]}',
    '{"node-generic-resources": ["foo=1"]}',
    '{"hosts": ["tcp://127.0.0.1:2375"]}',
    '{"log-level": "warn"}',
    '{"exec-opts": ["native.cgroupdriver=systemd"]}',
  ]
  for (const file of valid) it(`valid: ${file}`, () => assert.equal(load({file}).text, ''))

  it('windows: native.cgroupdriver is refused and isolation accepted', () => {
    assert.match(load({file: '{"exec-opts": ["native.cgroupdriver=systemd"]}', platform: 'win32'}).text, /option 'native.cgroupdriver' is only supported on linux/)
    assert.equal(load({file: '{"exec-opts": ["isolation=process"]}', platform: 'win32'}).text, '')
    assert.match(load({file: '{"storage-driver": "overlay2"}', platform: 'win32'}).text, /don't match any configuration option: storage-driver/)
  })
})
