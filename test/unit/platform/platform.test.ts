import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {currentPlatform, hostFacts, platformOf} from '../../../src/platform/platform.js'
import {targetPlatform, type TargetPlatform} from '../../../src/platform/target.js'
import type {ListenerKind} from '../../../src/platform/types.js'

describe('platform object', () => {
  it('one object per target OS, with the facts code asks instead of comparing names', () => {
    const cases: Array<[TargetPlatform, {goos: string; title: string; unix: boolean; linuxKernel: boolean; kinds: ListenerKind[]; httpHost: string; rootless: boolean; manPage: boolean}]> = [
      ['linux', {goos: 'linux', httpHost: 'localhost', kinds: ['tcp', 'unix', 'fd'], linuxKernel: true, manPage: true, rootless: true, title: 'Linux', unix: true}],
      ['freebsd', {goos: 'freebsd', httpHost: 'localhost', kinds: ['tcp', 'unix', 'fd'], linuxKernel: false, manPage: false, rootless: true, title: 'FreeBSD', unix: true}],
      ['darwin', {goos: 'darwin', httpHost: 'localhost', kinds: ['tcp', 'unix', 'fd'], linuxKernel: false, manPage: false, rootless: true, title: 'macOS', unix: true}],
      ['win32', {goos: 'windows', httpHost: '127.0.0.1', kinds: ['tcp', 'npipe'], linuxKernel: false, manPage: false, rootless: false, title: 'Windows', unix: false}],
    ]
    for (const [name, want] of cases) {
      const p = platformOf(name)
      assert.equal(p.name, name)
      assert.equal(platformOf(p), p, 'an object passes through')
      assert.deepEqual(
        {goos: p.goos, httpHost: p.defaultHTTPHost, kinds: [...p.listenerKinds], linuxKernel: p.linuxKernel, manPage: p.manPage, rootless: p.rootlessDefaults, title: p.title, unix: p.unix},
        want,
        name,
      )
    }
  })

  it('listener kinds a platform refuses get dockerd\'s message', () => {
    assert.equal(platformOf('linux').unsupportedListener('npipe'), 'invalid protocol format: "npipe"')
    assert.equal(platformOf('win32').unsupportedListener('unix'), 'unix sockets are not supported on Windows by this daemon')
    assert.equal(platformOf('win32').unsupportedListener('fd'), 'invalid protocol format: windows only supports tcp, unix and npipe')
  })

  it('driver lists: Linux has journald and macvlan, Windows etwlogs and nat', () => {
    assert.ok(platformOf('linux').logDrivers.includes('journald'))
    assert.ok(platformOf('linux').networkDrivers.includes('macvlan'))
    assert.ok(platformOf('win32').logDrivers.includes('etwlogs'))
    assert.ok(platformOf('win32').networkDrivers.includes('nat'))
    assert.ok(!platformOf('freebsd').logDrivers.includes('journald'))
  })

  it('currentPlatform is the target, chosen once; host facts are read once', () => {
    assert.equal(currentPlatform().name, targetPlatform())
    assert.equal(currentPlatform(), currentPlatform())
    assert.equal(hostFacts(), hostFacts())
    assert.ok(['1', '2'].includes(hostFacts().cgroupVersion))
  })
})
