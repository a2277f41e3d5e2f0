import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {ApiError} from '../../../src/api/errors.js'
import {eventMatches, parseFilters, stripImageTag} from '../../../src/api/filters.js'
import type {DaemonEvent} from '../../../src/api/types.js'

const ev = (over: Partial<DaemonEvent> & {attrs?: Record<string, string>; id?: string} = {}): DaemonEvent => ({
  Type: over.Type ?? 'daemon',
  Action: over.Action ?? 'reload',
  Actor: {ID: over.id ?? 'ENGINE-ID', Attributes: over.attrs ?? {name: 'vm', debug: 'true'}},
  scope: over.scope ?? 'local',
  time: 1,
  timeNano: 1_000_000_000n,
})

describe('parseFilters (filters.FromJSON)', {timeout: 5_000}, () => {
  test('empty and null mean no filter', () => {
    assert.equal(parseFilters('').size, 0)
    assert.equal(parseFilters('null').size, 0)
    assert.equal(parseFilters('{}').size, 0)
  })
  test('map-of-bools form keeps each bool', () => {
    const f = parseFilters('{"type":{"daemon":true},"event":{"reload":false},"label":null}')
    assert.deepEqual([...f.get('type')!], [['daemon', true]])
    assert.deepEqual([...f.get('event')!], [['reload', false]])
    assert.equal(f.get('label')!.size, 0)
  })
  test('legacy list form', () => {
    const f = parseFilters('{"type":["daemon","container"],"label":null}')
    assert.deepEqual([...f.get('type')!.keys()], ['daemon', 'container'])
  })
  for (const bad of ['{', '[]', '"x"', '3', '{"type":"daemon"}', '{"type":{"daemon":"yes"}}', '{"type":["daemon"],"event":{"reload":true}}', '{"type":[1]}']) {
    test(`rejects ${bad}`, () => {
      assert.throws(() => parseFilters(bad), (err: unknown) => err instanceof ApiError && err.statusCode === 400 && err.message === 'invalid filter')
    })
  }
})

describe('eventMatches (daemon/events Filter.Include)', {timeout: 5_000}, () => {
  const m = (filters: string, e: DaemonEvent): boolean => eventMatches(parseFilters(filters), e)
  test('no filter matches all', () => assert.equal(m('', ev()), true))
  test('type', () => {
    assert.equal(m('{"type":{"daemon":true}}', ev()), true)
    assert.equal(m('{"type":["container"]}', ev()), false)
    assert.equal(m('{"type":{"daemon":false}}', ev()), false, 'a false value is present but does not match exactly')
    assert.equal(m('{"type":{}}', ev()), true, 'empty set = no filter')
  })
  test('event (action), exact; health_status etc. by prefix', () => {
    assert.equal(m('{"event":["reload"]}', ev()), true)
    assert.equal(m('{"event":["rel"]}', ev()), false)
    assert.equal(m('{"event":["health_status"]}', ev({Type: 'container', Action: 'health_status: healthy'})), true)
    assert.equal(m('{"event":["exec_start"]}', ev({Type: 'container', Action: 'exec_start: sh -c true'})), true)
  })
  test('label: key or key=value against attributes, all must hold', () => {
    assert.equal(m('{"label":["debug"]}', ev()), true)
    assert.equal(m('{"label":["debug=true"]}', ev()), true)
    assert.equal(m('{"label":["debug=false"]}', ev()), false)
    assert.equal(m('{"label":["debug=true","nope"]}', ev()), false)
    assert.equal(m('{"label":["debug"]}', ev({attrs: {}})), false)
  })
  test('daemon: ID or name, prefix (TestDaemonEventsWithFilters)', () => {
    assert.equal(m('{"daemon":["ENGINE-ID"]}', ev()), true)
    assert.equal(m('{"daemon":["ENGINE"]}', ev()), true)
    assert.equal(m('{"daemon":["vm"]}', ev()), true)
    assert.equal(m('{"daemon":["foo"]}', ev()), false)
  })
  test('an object filter of another kind excludes daemon events (moby applies every key)', () => {
    assert.equal(m('{"container":["abc"]}', ev()), false)
    assert.equal(m('{"container":["abc"]}', ev({Type: 'container', id: 'abc123', attrs: {image: 'busybox'}})), true)
  })
  test('scope', () => {
    assert.equal(m('{"scope":["local"]}', ev()), true)
    assert.equal(m('{"scope":["swarm"]}', ev()), false)
  })
  test('image: id, image attribute, with and without tag', () => {
    const c = ev({Type: 'container', id: 'c1', attrs: {image: 'docker.io/library/busybox:latest'}})
    assert.equal(m('{"image":["busybox"]}', c), true)
    assert.equal(m('{"image":["docker.io/library/busybox:latest"]}', c), true)
    assert.equal(m('{"image":["alpine"]}', c), false)
    assert.equal(m('{"image":["sha256:1"]}', ev({Type: 'image', id: 'sha256:1', attrs: {name: 'x'}})), true)
  })
  test('stripImageTag ≈ reference.FamiliarName', () => {
    assert.equal(stripImageTag('busybox:latest'), 'busybox')
    assert.equal(stripImageTag('docker.io/library/busybox:1@sha256:abc'), 'busybox')
    assert.equal(stripImageTag('docker.io/library/a/b:1'), 'library/a/b')
    assert.equal(stripImageTag('localhost:5000/foo:tag'), 'localhost:5000/foo')
    assert.equal(stripImageTag('localhost:5000/foo'), 'localhost:5000/foo')
    assert.equal(stripImageTag('a'.repeat(64)), 'a'.repeat(64))
  })
})
