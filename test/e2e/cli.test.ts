import assert from 'node:assert/strict'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {optionTable} from '../../src/options/index.js'
import {BIN, run as runBin, tempDir} from '../helpers/run.js'

// The choices as the option table declares them (the hint lists exactly these).
const LOG_LEVELS = (optionTable('linux', []).get('log-level').enum ?? []).map((v) => JSON.stringify(v)).join(', ')
const built = existsSync(BIN) && existsSync(join(BIN, '..', '..', 'lib', 'commands', 'dockerd.js'))

// Each case runs twice: through the fast start path (no @oclif/core) and through oclif
// (DOCKERD_OCLIF=1): both must behave the same.
for (const [path, pathEnv] of [
  ['fast path', {}],
  ['oclif', {DOCKERD_OCLIF: '1'}],
] as const) {
describe(`dockerd command line, ${path} (built bin/run.js)`, {skip: built ? false : 'lib/ is not built: run `npm run build`'}, () => {
  let t: ReturnType<typeof tempDir>
  const run = (args: string[], opts: Parameters<typeof runBin>[1]) => runBin(args, {...opts, env: {...pathEnv, ...opts.env}})
  before(() => {
    t = tempDir()
  })
  after(() => t.done())

  const expectError = (args: string[], pattern: RegExp | string, files: Record<string, string> = {}) => {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(t.dir, name), content)
    const before = t.list()
    const r = run(args.map((a) => a.replaceAll('TMP', t.dir)), {home: t.dir})
    assert.equal(r.status, 1, r.stderr)
    assert.equal(r.stdout, '', 'nothing on stdout')
    const stderr = r.stderr.replaceAll(t.dir, 'TMP')
    if (typeof pattern === 'string') assert.equal(stderr, pattern)
    else assert.match(stderr, pattern)
    assert.deepEqual(t.list(), before, 'nothing created')
  }

  it('--version and -v print the version on stdout and exit 0, whatever else is given', () => {
    for (const args of [['--version'], ['-v'], ['--version', 'extra'], ['--debug', '-v', '--bogus'], ['--validate', '--version']]) {
      const r = run(args, {home: t.dir})
      assert.equal(r.status, 0, `${args}: ${r.stderr}`)
      assert.match(r.stdout, /^Docker version \d+\.\d+\.\d+, build \w+\n$/)
      assert.equal(r.stderr, '')
    }
  })

  it('--help shows grouped flags with shorthand, type and default', () => {
    const r = run(['--help'], {home: t.dir})
    assert.equal(r.status, 0)
    const flat = r.stdout.replaceAll(/\s+/g, ' ')
    assert.match(r.stdout, /\$ dockerd \[OPTIONS\]/)
    assert.match(r.stdout, /COMMON FLAGS/)
    assert.match(r.stdout, /DAEMON FLAGS/)
    assert.match(r.stdout, /LINUX FLAGS/)
    assert.match(r.stdout, /-D, --debug/)
    assert.match(r.stdout, /-H, --host=list\.\.\./)
    assert.match(flat, /--mtu=int Set the MTU for the default "bridge" network \(default 1500\)/)
    assert.match(flat, /--iptables Enable addition of iptables rules \(default true\)/)
    assert.match(flat, /-l, --log-level=string Set the logging level \("debug"\|"info"\|"warn"\|"error"\|"fatal"\) \(default "info"\)/)
    assert.ok(flat.indexOf('COMMON FLAGS') < flat.indexOf('DAEMON FLAGS') && flat.indexOf('DAEMON FLAGS') < flat.indexOf('UNIX FLAGS') && flat.indexOf('UNIX FLAGS') < flat.indexOf('LINUX FLAGS'), 'group order')
    assert.doesNotMatch(r.stdout, /\[no-\]/)
    assert.doesNotMatch(r.stdout, /register-service/)
    assert.doesNotMatch(r.stdout, /--graph/)
  })

  it('-h and a shorthand group with h (-Dh) show help and start nothing', () => {
    for (const args of [['-h'], ['-Dh'], ['--debug', '-h', '--pidfile', 'TMP/never.pid']]) {
      const before = t.list()
      const r = run(args.map((a) => a.replaceAll('TMP', t.dir)), {home: t.dir, timeout: 10_000})
      assert.equal(r.status, 0, `${args}: ${r.stderr}`)
      assert.match(r.stdout, /\$ dockerd \[OPTIONS\]/)
      assert.doesNotMatch(r.stderr, /Starting up/)
      assert.deepEqual(t.list(), before, 'nothing created')
    }
  })

  it('help for Windows lists the service flags and not --cgroup-parent', () => {
    const r = run(['--help'], {env: {DOCKERD_TARGET_OS: 'win32'}, home: t.dir})
    assert.equal(r.status, 0)
    assert.match(r.stdout, /--register-service/)
    assert.match(r.stdout.replaceAll(/\s+/g, ' '), /--service-name=string Set the Windows service name \(default "docker"\)/)
    assert.doesNotMatch(r.stdout, /cgroup-parent/)
  })

  it('refuses positional arguments, naming them', () => {
    expectError(['foo', 'bar'], /^"dockerd" accepts no argument\(s\)\.\nunexpected argument\(s\): "foo" "bar"\nSee 'dockerd --help'\./)
  })

  it('names unknown flags and shorthands', () => {
    expectError(['--bogus'], "Status: unknown flag: --bogus\nSee 'dockerd --help'., Code: 125\n")
    expectError(['-Z'], "Status: unknown shorthand flag: 'Z' in -Z\nSee 'dockerd --help'., Code: 125\n")
    expectError(['--cgroup-parent=x', '--register-service'], /unknown flag: --register-service/)
  })

  it('a mistyped flag gets the nearest one after dockerd\'s lines (issue 11.6)', () => {
    expectError(['--debugg'], "Status: unknown flag: --debugg\nSee 'dockerd --help'., Code: 125\nDid you mean --debug?\n")
    expectError(['--log-levl=warn'], /Code: 125\nDid you mean --log-level\?\n$/)
    expectError(['--tlsverfy', '--validate'], /Code: 125\nDid you mean --tlsverify\?\n$/)
  })

  it('--help points at `dockerd plugins` (issue 11.7)', () => {
    const r = run(['--help'], {home: t.dir})
    assert.equal(r.status, 0)
    assert.match(r.stdout, /\nCOMMANDS\n {2}dockerd plugins +Manage plugins: install, link, ls, uninstall\n/)
  })

  it('names flag and value of a malformed value', () => {
    expectError(['--shutdown-timeout=abc'], /^Status: invalid argument "abc" for "--shutdown-timeout" flag: strconv.ParseInt: parsing "abc": invalid syntax\n/)
    expectError(['--label', 'novalue'], /invalid argument "novalue" for "--label" flag: bad attribute format: novalue/)
    expectError(['--iptables=maybe'], /invalid argument "maybe" for "--iptables" flag/)
    expectError(['--pidfile'], /flag needs an argument: --pidfile/)
  })

  it('--validate accepts Go-style argv and a good file', () => {
    writeFileSync(join(t.dir, 'ok.json'), '{"debug": true, "storage-opts": ["size=1G"]}')
    const r = run(['--validate', '--config-file', join(t.dir, 'ok.json'), '--iptables=false', '-l=warn', '--tlsverify=false', '--dns', '1.1.1.1', '--dns', '8.8.8.8', '--label', 'a=b', '--label', 'c=d', '--log-opt', 'k=v'], {home: t.dir})
    assert.equal(r.stderr, 'configuration OK\n')
    assert.equal(r.status, 0)
    assert.equal(r.stdout, '')
  })

  it('--validate with no file at the default path is fine', () => {
    const r = run(['--validate'], {home: t.dir})
    assert.equal(r.stderr, 'configuration OK\n')
    assert.equal(r.status, 0)
  })

  it('config-file errors name the file', () => {
    expectError(['--validate', '--config-file', 'TMP/missing.json'], 'unable to configure the Docker daemon with file TMP/missing.json: open TMP/missing.json: no such file or directory\n')
    mkdirSync(join(t.dir, 'adir'))
    expectError(['--config-file', 'TMP/adir'], 'unable to configure the Docker daemon with file TMP/adir: read TMP/adir: is a directory\n')
    expectError(['--config-file', 'TMP/bad.json'], /file TMP\/bad.json: invalid JSON: unexpected end of JSON input\n  TMP\/bad.json:1:16: here\n$/, {'bad.json': '{"debug": true,'})
    expectError(['--config-file', 'TMP/arr.json'], /cannot unmarshal array into Go value of type map/, {'arr.json': '[]'})
    expectError(['--config-file', 'TMP/type.json'], /cannot unmarshal string into Go struct field Config.debug of type bool/, {'type.json': '{"debug": "yes"}'})
  })

  it('--validate reports every problem at once', () => {
    expectError(
      ['--validate', '--debug', '--config-file', 'TMP/many.json'],
      /don't match any configuration option: log-levl, zzz\n  TMP\/many.json:1:36: unknown directive "log-levl": did you mean "log-level"\?\n  TMP\/many.json:1:53: unknown directive "zzz"\n.*specified both as a flag and in the configuration file: debug: \(from flag: true, from file: true\)/s,
      {'many.json': '{"debug": true, "labels": ["a=b"], "log-levl": "x", "zzz": 1}'},
    )
  })

  it('invalid values name the directive and value', () => {
    expectError(['--config-file', 'TMP/v.json'], /merged configuration validation from file and command line flags failed: invalid max concurrent downloads: -1/, {'v.json': '{"max-concurrent-downloads": -1}'})
    expectError(['--log-level=bogus'], `invalid logging level: bogus\n  valid values: ${LOG_LEVELS}\n`)
  })

  it('an invalid value from daemon.json says where it is and, for a choice, the choices (issue 11.6)', () => {
    expectError(
      ['--validate', '--config-file', 'TMP/fmt.json'],
      'unable to configure the Docker daemon with file TMP/fmt.json: merged configuration validation from file and command line flags failed: invalid log format: xml\n  TMP/fmt.json:3:3: "log-format"\n  valid values: "text", "json"\n',
      {'fmt.json': '{\n  "debug": true,\n  "log-format": "xml"\n}\n'},
    )
  })

  it('the classic systemd hosts conflict gets a hint', () => {
    expectError(['-H', 'fd://', '--config-file', 'TMP/h.json'], /hosts: \(from flag: \[fd:\/\/\], from file: \[unix:\/\/\/tmp\/x.sock\]\)\n.*\n  hint: -H fd:\/\/ usually comes from the systemd unit/s, {
      'h.json': '{"hosts": ["unix:///tmp/x.sock"]}',
    })
  })
})
}

// bin/run.js answers a bare --help from text oclif rendered at build time (src/help-fast.ts): it
// must be oclif's text to the byte, for each target OS, per-user or system paths, TLS and rootless
// variables, terminal widths, and colours forced on.
describe('--help without oclif is oclif’s --help (built bin/run.js)', {skip: built ? false : 'lib/ is not built: run `npm run build`'}, () => {
  let t: ReturnType<typeof tempDir>
  before(() => {
    t = tempDir()
  })
  after(() => t.done())

  const cases: Array<[string, NodeJS.ProcessEnv]> = [
    ['linux, per-user', {}],
    ['linux, root, 132 columns', {DOCKERD_ROOTLESS: '0', OCLIF_COLUMNS: '132'}],
    ['linux, 50 columns, TLS and RootlessKit variables', {DOCKER_TLS_VERIFY: '1', OCLIF_COLUMNS: '50', ROOTLESSKIT_STATE_DIR: '/nonexistent/rk'}],
    ['linux, in colour', {FORCE_COLOR: '1'}],
    ['windows', {DOCKERD_TARGET_OS: 'win32', ProgramData: 'E:\\PD'}],
    ['freebsd, 100 columns', {DOCKERD_TARGET_OS: 'freebsd', OCLIF_COLUMNS: '100'}],
  ]
  for (const [name, env] of cases) {
    it(name, () => {
      for (const flag of ['--help', '-h']) {
        const fast = runBin([flag], {env, home: t.dir})
        const oclif = runBin([flag], {env: {...env, DOCKERD_OCLIF: '1'}, home: t.dir})
        assert.equal(fast.status, 0, fast.stderr)
        assert.equal(oclif.status, 0, oclif.stderr)
        assert.equal(fast.stdout, oclif.stdout)
        assert.equal(fast.stderr, '')
      }
    })
  }
})

// One pipeline (src/pipeline.ts) behind both entry points: the same argv gives the same status,
// stdout and stderr through the fast path and through oclif's command.
describe('fast path and oclif give identical results (built bin/run.js)', {skip: built ? false : 'lib/ is not built: run `npm run build`'}, () => {
  let t: ReturnType<typeof tempDir>
  before(() => {
    t = tempDir()
  })
  after(() => t.done())

  const cases: string[][] = [
    ['--bogus'],
    ['-Z'],
    ['--debugg'],
    ['--log-level'],
    ['--iptables=maybe'],
    ['foo', 'bar'],
    ['--', '-D'],
    ['--version'],
    ['-v', 'extra'],
    ['--debug', '-v', '--bogus'],
    ['-Dv'],
    ['--validate', '--version'],
    ['-Dh'],
    ['--debug', '-h', '--pidfile', 'TMP/never.pid'],
    ['--validate', '--log-level=loud'],
    ['--validate', '--config-file', 'TMP/missing.json'],
    ['--validate', '--config-file', 'TMP/empty.json', '-D', '--debug=false', '--mtu', '1400'],
    ['--validate', '--config-file', 'TMP/empty.json', '--insecure-registry', 'a:5000', '--insecure-registry=b:5000'],
  ]
  for (const args of cases) {
    it(args.join(' '), () => {
      writeFileSync(join(t.dir, 'empty.json'), '{}')
      const argv = args.map((a) => a.replaceAll('TMP', t.dir))
      const fast = runBin(argv, {home: t.dir, timeout: 20_000})
      const oclif = runBin(argv, {env: {DOCKERD_OCLIF: '1'}, home: t.dir, timeout: 20_000})
      assert.deepEqual({status: oclif.status, stderr: oclif.stderr, stdout: oclif.stdout}, {status: fast.status, stderr: fast.stderr, stdout: fast.stdout})
      assert.ok(fast.status === 0 || fast.status === 1, `exit status ${fast.status}: ${fast.stderr}`)
      assert.doesNotMatch(fast.stderr, /\n\s+at |Error:/, 'no JS error text')
    })
  }
})
