import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {EVENTS_HISTORY_LIMIT, EventBus, serializeEvent} from '../../../src/api/events.js'
import type {DaemonEvent} from '../../../src/api/types.js'

// Attributes of a `daemon reload` event (spec §5.2), in the order a daemon might build them.
const reloadAttributes = {
  'shutdown-timeout': '15',
  name: 'vm',
  labels: '["foo=bar","env=test"]',
  debug: 'true',
  'default-runtime': 'runc',
  features: 'map[]',
  'insecure-registries': '[]',
  'max-concurrent-downloads': '3',
  'max-concurrent-uploads': '5',
}

describe('EventBus', {timeout: 5_000}, () => {
  test('fills scope and times; times are strictly increasing', () => {
    let t = 5_000_000_000n
    const bus = new EventBus({now: () => t})
    const a = bus.publish({Type: 'daemon', Action: 'reload', Actor: {ID: 'E'}})
    const b = bus.publish({Type: 'daemon', Action: 'reload', Actor: {ID: 'E'}})
    assert.equal(a.scope, 'local')
    assert.equal(a.time, 5)
    assert.equal(a.timeNano, 5_000_000_000n)
    assert.equal(b.timeNano, 5_000_000_001n, 'same clock reading is bumped by 1 ns')
    assert.deepEqual(a.Actor.Attributes, {})
    t = 7_500_000_000n
    assert.equal(bus.publish({Type: 'x', Action: 'y', Actor: {ID: ''}}).time, 7)
  })
  test('given times: seconds widen, nanoseconds narrow, strings and numbers accepted', () => {
    const bus = new EventBus()
    assert.equal(bus.publish({Type: 'x', Action: 'y', Actor: {ID: ''}, time: 12}).timeNano, 12_000_000_000n)
    const e = bus.publish({Type: 'x', Action: 'y', Actor: {ID: ''}, timeNano: '1795875514748863040'})
    assert.equal(e.time, 1795875514)
    assert.equal(e.timeNano, 1795875514748863040n)
    assert.equal(bus.publish({Type: 'x', Action: 'y', Actor: {ID: ''}, timeNano: -1}).time, -1)
    assert.throws(() => bus.publish({Type: 'x', Action: 'y', Actor: {ID: ''}, timeNano: '1e9'}), TypeError)
  })
  test(`history keeps the last ${EVENTS_HISTORY_LIMIT} events`, () => {
    const bus = new EventBus()
    for (let i = 1; i <= 300; i++) bus.publish({Type: 'x', Action: String(i), Actor: {ID: ''}, timeNano: BigInt(i)})
    const all = bus.since(0n)
    assert.equal(all.length, 256)
    assert.equal(all[0].Action, '45')
    assert.equal(all.at(-1)!.Action, '300')
  })
  test('since/until are inclusive, oldest first', () => {
    const bus = new EventBus({limit: 10})
    for (let i = 1; i <= 10; i++) bus.publish({Type: 'x', Action: String(i), Actor: {ID: ''}, timeNano: BigInt(i * 10)})
    assert.deepEqual(bus.since(30n, 50n).map((e) => e.Action), ['3', '4', '5'])
    assert.deepEqual(bus.since(95, 1000).map((e) => e.Action), ['10'])
    assert.deepEqual(bus.since(101n).map((e) => e.Action), [])
  })
  test('subscribe / unsubscribe / a throwing listener does not stop the others', () => {
    const bus = new EventBus()
    const got: string[] = []
    const offBad = bus.subscribe(() => {
      throw new Error('boom')
    })
    const off = bus.subscribe((e) => got.push(e.Action))
    assert.equal(bus.subscriberCount, 2)
    bus.publish({Type: 'x', Action: 'a', Actor: {ID: ''}})
    off()
    off()
    offBad()
    bus.publish({Type: 'x', Action: 'b', Actor: {ID: ''}})
    assert.deepEqual(got, ['a'])
    assert.equal(bus.subscriberCount, 0)
  })
  test('close ends subscriptions once; later subscribers are closed at once; publish still records', () => {
    const bus = new EventBus()
    let closed = 0
    bus.subscribe(() => {}, () => closed++)
    bus.close()
    bus.close()
    assert.equal(closed, 1)
    assert.equal(bus.closed, true)
    let late = false
    bus.subscribe(() => assert.fail('no delivery after close'), () => (late = true))
    assert.equal(late, true)
    bus.publish({Type: 'x', Action: 'after', Actor: {ID: ''}})
    assert.equal(bus.since(0n).at(-1)!.Action, 'after')
  })
})

describe('serializeEvent', {timeout: 5_000}, () => {
  const base: DaemonEvent = {
    Type: 'daemon',
    Action: 'reload',
    Actor: {ID: 'ENGINE', Attributes: reloadAttributes},
    scope: 'local',
    time: 1795875514,
    timeNano: 1795875514748863040n,
  }
  test('Go field order, sorted attributes, exact timeNano digits', () => {
    const line = serializeEvent(base, '1.56')
    assert.equal(
      line,
      '{"Type":"daemon","Action":"reload","Actor":{"ID":"ENGINE","Attributes":{"debug":"true","default-runtime":"runc","features":"map[]","insecure-registries":"[]","labels":"[\\"foo=bar\\",\\"env=test\\"]","max-concurrent-downloads":"3","max-concurrent-uploads":"5","name":"vm","shutdown-timeout":"15"}},"scope":"local","time":1795875514,"timeNano":1795875514748863040}',
    )
    assert.equal(JSON.parse(line).Actor.Attributes.labels, '["foo=bar","env=test"]')
  })
  test('HTML characters escaped like Go json.Encoder, U+2028 too', () => {
    const line = serializeEvent({...base, Actor: {ID: 'a<b>&c\u2028', Attributes: {}}}, '1.56')
    assert.match(line, /"ID":"a\\u003cb\\u003e\\u0026c\\u2028"/)
    assert.equal(JSON.parse(line).Actor.ID, 'a<b>&c\u2028')
  })
  test('empty scope and zero times are omitted', () => {
    assert.equal(serializeEvent({...base, scope: '', time: 0, timeNano: 0n, Actor: {ID: 'E', Attributes: {}}}, '1.56'), '{"Type":"daemon","Action":"reload","Actor":{"ID":"E","Attributes":{}}}')
  })
  test('legacy fields below API 1.52 for container and image events, keys sorted', () => {
    const c: DaemonEvent = {...base, Type: 'container', Action: 'start', Actor: {ID: 'c1', Attributes: {name: 'web', image: 'busybox'}}}
    assert.equal(
      serializeEvent(c, '1.51'),
      '{"Action":"start","Actor":{"Attributes":{"image":"busybox","name":"web"},"ID":"c1"},"Type":"container","from":"busybox","id":"c1","scope":"local","status":"start","time":1795875514,"timeNano":1795875514748863040}',
    )
    const i: DaemonEvent = {...base, Type: 'image', Action: 'pull', Actor: {ID: 'busybox:latest', Attributes: {}}}
    assert.deepEqual(Object.keys(JSON.parse(serializeEvent(i, '1.40'))), ['Action', 'Actor', 'Type', 'id', 'scope', 'status', 'time', 'timeNano'])
    assert.deepEqual(Object.keys(JSON.parse(serializeEvent(c, '1.52'))), ['Type', 'Action', 'Actor', 'scope', 'time', 'timeNano'])
    assert.doesNotMatch(serializeEvent(base, '1.40'), /status/, 'daemon events never get legacy fields')
  })
})
