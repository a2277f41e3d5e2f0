import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {FlagError, normalizeArgv} from '../../../src/options/argv.js'
import {optionTable} from '../../../src/options/index.js'

const table = optionTable('linux', [])

describe('normalizeArgv (pflag forms → oclif argv)', () => {
  const ok: Array<[string[], string[], Partial<{help: boolean; positionals: string[]; version: boolean}>?]> = [
    [['--iptables=false'], ['--no-iptables']],
    [['--iptables=true'], ['--iptables']],
    [['-D=true'], ['--debug']],
    [['-D=false'], ['--no-debug']],
    [['--tlsverify=false'], ['--no-tlsverify']],
    [['--tlsverify=0', '--tls=T'], ['--no-tlsverify', '--tls']],
    [['-D'], ['--debug']],
    [['-Dl', 'debug'], ['--debug', '--log-level=debug']],
    [['-Dldebug'], ['--debug', '--log-level=debug']],
    [['-l=warn'], ['--log-level=warn']],
    [['--dns', 'a', '--dns', 'b'], ['--dns=a', '--dns=b']],
    [['--label', 'a=b', '--label', 'c=d'], ['--label=a=b', '--label=c=d']],
    [['--log-opt', 'k=v'], ['--log-opt=k=v']],
    [['-H', 'unix:///a', '--host=tcp://b:2375'], ['--host=unix:///a', '--host=tcp://b:2375']],
    [['--mtu', '1', '--mtu', '2'], ['--mtu=2']],
    [['--debug', '--debug=false'], ['--no-debug']],
    [['-p', '-weird'], ['--pidfile=-weird']],
    [['--pidfile', '--debug'], ['--pidfile=--debug']],
    [['-g', '/x'], ['--graph=/x']],
    [['foo', '--debug', 'bar'], ['--debug'], {positionals: ['foo', 'bar']}],
    [['--', '--debug'], [], {positionals: ['--debug']}],
    [['-'], [], {positionals: ['-']}],
    [['--version', 'foo'], ['--version'], {positionals: ['foo'], version: true}],
    [['-v'], ['--version'], {version: true}],
    [['--help', '--debug'], ['--debug'], {help: true}],
    [['-h'], [], {help: true}],
  ]
  for (const [input, want, extra] of ok) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => {
      const got = normalizeArgv(input, table)
      assert.deepEqual(got.argv, want)
      if (extra?.positionals) assert.deepEqual(got.positionals, extra.positionals)
      if (extra?.version !== undefined) assert.equal(got.version, extra.version)
      if (extra?.help !== undefined) assert.equal(got.help, extra.help)
    })
  }

  const bad: Array<[string[], string]> = [
    [['--foo'], 'unknown flag: --foo'],
    [['--no-iptables'], 'unknown flag: --no-iptables'],
    [['--register-service'], 'unknown flag: --register-service'],
    [['--min-api-version=1.24'], 'unknown flag: --min-api-version'],
    [['-x'], "unknown shorthand flag: 'x' in -x"],
    [['-Dx'], "unknown shorthand flag: 'x' in -Dx"],
    [['--pidfile'], 'flag needs an argument: --pidfile'],
    [['-p'], "flag needs an argument: 'p' in -p"],
    [['--debug=yes'], 'invalid argument "yes" for "-D, --debug" flag: strconv.ParseBool: parsing "yes": invalid syntax'],
    [['--iptables=maybe'], 'invalid argument "maybe" for "--iptables" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ]
  for (const [input, message] of bad) {
    it(`${JSON.stringify(input)} is refused: ${message}`, () => {
      assert.throws(() => normalizeArgv(input, table), (error: Error) => error instanceof FlagError && error.message === message)
    })
  }

  it('reports deprecation notices once', () => {
    const got = normalizeArgv(['--restart', '-r'], table)
    assert.deepEqual(got.notices, ['Flag --restart has been deprecated, Please use a restart policy on docker run'])
  })

  it('refuses flags of another OS', () => {
    assert.throws(() => normalizeArgv(['--cgroup-parent=x'], optionTable('win32', [])), /unknown flag: --cgroup-parent/)
    assert.deepEqual(normalizeArgv(['--register-service'], optionTable('win32', [])).argv, ['--register-service'])
  })
})
