// The memory policy after a burst of connections (src/daemon/memory.ts): its decision as a table,
// the policy driven by a fake clock and scheduler, and the real collection.
import assert from 'node:assert/strict'
import {EventEmitter} from 'node:events'
import {describe, it} from 'node:test'
import {getHeapStatistics} from 'node:v8'
import {runInNewContext} from 'node:vm'

import fc from 'fast-check'

import {collectGarbage, decide, isLargeDrop, MEMORY_POLICY_DEFAULTS, type MemoryHooks, MemoryPolicy, type MemoryView, watchMemory} from '../../../src/daemon/memory.js'

const o = MEMORY_POLICY_DEFAULTS

describe('isLargeDrop', () => {
  for (const [open, peak, want] of [
    [0, 1000, true],
    [500, 1000, true],
    [501, 1000, false], // more than half still open
    [0, 255, false], // fewer than minDrop ever left
    [0, 256, true],
    [100, 356, true],
    [101, 356, false], // only 255 left
    [0, 0, false],
  ] as const) {
    it(`${open} open of a peak of ${peak}: ${want}`, () => assert.equal(isLargeDrop(open, peak), want))
  }
})

describe('decide', () => {
  const base: MemoryView = {busy: 0, lastChange: 10_000, lastCollect: Number.NEGATIVE_INFINITY, now: 11_000, open: 0, peak: 1000, waitingSince: 10_000}
  for (const [name, change, want] of [
    ['quiet for quietMs after a large drop: collect', {}, {kind: 'collect'}],
    ['a connection changed 400 ms ago: wait the rest of the quiet period', {lastChange: 10_600}, {kind: 'wait', ms: 600}],
    ['busy event loop: wait another quiet period', {busy: 0.5}, {kind: 'wait', ms: o.quietMs}],
    ['busy at the threshold: still quiet', {busy: o.maxBusy}, {kind: 'collect'}],
    ['collected 10 s ago: wait for the rate limit', {lastCollect: 1000}, {kind: 'wait', ms: 20_000}],
    ['collected 30 s ago: collect', {lastCollect: 11_000 - o.minIntervalMs}, {kind: 'collect'}],
    ['rate limit and quiet period both pending: the later', {lastChange: 10_900, lastCollect: -18_000}, {kind: 'wait', ms: 1000}],
    ['connections came back: forget', {open: 700}, {kind: 'forget'}],
    ['too few ever left: forget', {open: 0, peak: 100}, {kind: 'forget'}],
    ['no quiet moment for giveUpMs: forget', {now: 10_000 + o.giveUpMs, lastChange: 10_000 + o.giveUpMs - 1}, {kind: 'forget'}],
    ['just before giving up, still busy: wait', {now: 9_999 + o.giveUpMs, lastChange: 0, busy: 1}, {kind: 'wait', ms: o.quietMs}],
  ] as const) {
    it(name, () => assert.deepEqual(decide({...base, ...change}), want))
  }

  it('other options', () => {
    const custom = {...o, minDrop: 10, quietMs: 50}
    assert.deepEqual(decide({...base, lastChange: 10_960, peak: 10}, custom), {kind: 'wait', ms: 10})
    assert.deepEqual(decide({...base, lastChange: 10_950, peak: 10}, custom), {kind: 'collect'})
  })
})

/** A policy on a fake clock: `run(ms)` moves time on and fires the timers due. */
function fakePolicy(busy: number[] = [], options = {}) {
  let now = 0
  const timers: {at: number; fn: () => void}[] = []
  const log: string[] = []
  const hooks: MemoryHooks = {
    busy: () => busy.shift() ?? 0,
    collect: () => log.push(`collect@${now}`),
    limitYoungGeneration: () => log.push(`limit@${now}`),
    now: () => now,
    schedule: (fn, ms) => timers.push({at: now + ms, fn}),
  }
  const policy = new MemoryPolicy(hooks, options)
  const run = (ms: number): void => {
    const end = now + ms
    for (;;) {
      timers.sort((a, b) => a.at - b.at)
      if (timers.length === 0 || timers[0].at > end) break
      const t = timers.shift()!
      now = t.at
      t.fn()
    }

    now = end
  }

  const open = (n: number): void => {
    for (let i = 0; i < n; i++) policy.opened()
  }

  const close = (n: number): void => {
    for (let i = 0; i < n; i++) policy.closed()
  }

  return {close, log, now: () => now, open, pending: () => timers.length, policy, run}
}

type Step = ['close' | 'open' | 'run', number] | ['log', string[]] | ['pending', number]
const {giveUpMs, minIntervalMs} = MEMORY_POLICY_DEFAULTS

describe('MemoryPolicy', () => {
  // Each case: event-loop utilisation samples (0 once they run out), then steps on a fake clock:
  // connections opened or closed, time run on, the hooks called so far, the timers pending.
  for (const [name, busy, steps] of [
    ['1,000 connections leave: one collection a quiet second later, the young generation limited once at the burst', [], [
      ['open', 1000], ['log', ['limit@0']], ['run', 5000], ['close', 1000], ['run', 999], ['log', ['limit@0']],
      ['run', 1], ['log', ['limit@0', 'collect@6000']], ['run', 60_000], ['pending', 0], ['log', ['limit@0', 'collect@6000']],
    ]],
    ['a small daemon (a few connections at a time) never limits nor collects', [],
      [...Array.from({length: 100}, (): Step[] => [['open', 10], ['run', 100], ['close', 10]]).flat(), ['run', 10_000], ['log', []], ['pending', 0]]],
    ['connections closing one by one keep pushing the quiet period on', [], [
      ['open', 600], ['close', 300], ...Array.from({length: 5}, (): Step[] => [['run', 500], ['close', 10]]).flat(),
      ['run', 999], ['log', ['limit@0']], ['run', 1], ['log', ['limit@0', 'collect@3500']],
    ]],
    ['requests flowing on the connections left: no collection until the event loop is quiet', [0, 0.9, 0.8, 0.02], [
      ['open', 1000], ['close', 1000], ['run', 2500], ['log', ['limit@0']], ['run', 500], ['log', ['limit@0', 'collect@3000']],
    ]],
    ['busy for longer than giveUpMs: the drop is forgotten, the next burst counts afresh', [0, ...Array.from({length: 200}, () => 1)], [
      ['open', 1000], ['close', 1000], ['run', giveUpMs + 5000], ['log', ['limit@0']], ['pending', 0],
      // The old peak is gone: 100 connections leaving is no drop.
      ['open', 100], ['close', 100], ['pending', 0],
    ]],
    ['connections come back before the quiet second: forgotten, then collected after they leave again', [], [
      ['open', 1000], ['close', 1000], ['run', 300], ['open', 900], ['run', 2000], ['log', ['limit@0']],
      ['close', 900], ['run', 1000], ['log', ['limit@0', 'collect@3300']],
    ]],
    ['bursts close together: at most one collection per minIntervalMs', [], [
      ['open', 1000], ['close', 1000], ['run', 1000], ['open', 1000], ['close', 1000], ['run', 5000], ['log', ['limit@0', 'collect@1000']],
      ['run', minIntervalMs], ['log', ['limit@0', 'collect@1000', `collect@${1000 + minIntervalMs}`]],
    ]],
  ] as [string, number[], Step[]][]) {
    it(name, () => {
      const p = fakePolicy(busy)
      for (const [op, arg] of steps) {
        if (op === 'log') assert.deepEqual(p.log, arg)
        else if (op === 'pending') assert.equal(p.pending(), arg)
        else p[op](arg)
      }
    })
  }
})

describe('MemoryPolicy, any sequence of connections, time and load', () => {
  const SEED = process.env.FC_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FC_SEED)
  const op = fc.oneof(
    fc.tuple(fc.constant('open' as const), fc.integer({max: 800, min: 1})),
    fc.tuple(fc.constant('close' as const), fc.integer({max: 800, min: 1})),
    fc.tuple(fc.constant('run' as const), fc.oneof(fc.integer({max: 1500, min: 0}), fc.integer({max: 40_000, min: 0}))),
  )
  it(`collections at least minIntervalMs apart, each after a quiet period, one timer at most, none left at the end (FC_SEED=${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(fc.double({max: 1, min: 0, noNaN: true}), {maxLength: 60}), fc.array(op, {maxLength: 60}), (busy, ops) => {
        const p = fakePolicy(busy)
        let open = 0
        let lastChange = Number.NEGATIVE_INFINITY
        for (const [kind, n] of ops) {
          if (kind === 'run') {
            p.run(n)
          } else {
            const k = kind === 'open' ? n : Math.min(n, open)
            p[kind](k)
            open += kind === 'open' ? k : -k
            if (k > 0) lastChange = p.now()
          }

          assert.ok(p.pending() <= 1, 'one timer at most')
          const last = p.log.at(-1)
          if (last?.startsWith('collect@')) assert.ok(Number(last.slice(8)) >= lastChange + MEMORY_POLICY_DEFAULTS.quietMs || Number(last.slice(8)) < lastChange, `collected within the quiet period: ${p.log}`)
        }

        p.run(MEMORY_POLICY_DEFAULTS.giveUpMs + MEMORY_POLICY_DEFAULTS.minIntervalMs)
        assert.equal(p.pending(), 0)
        const times = p.log.filter((l) => l.startsWith('collect@')).map((l) => Number(l.slice(8)))
        for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= MEMORY_POLICY_DEFAULTS.minIntervalMs, `collections too close: ${times}`)
        assert.ok(p.log.filter((l) => l.startsWith('limit@')).length <= 1)
      }),
      {endOnFailure: true, numRuns: 300, seed: SEED},
    )
  })
})

/** Hooks that record what the policy does, on a clock that each scheduled check moves on. */
function recording(): {hooks: Partial<MemoryHooks>; log: string[]} {
  const log: string[] = []
  let now = 0
  const schedule = (fn: () => void, ms: number): void => {
    now += ms
    fn()
  }

  return {hooks: {busy: () => 0, collect: () => log.push('collect'), limitYoungGeneration: () => log.push('limit'), now: () => now, schedule}, log}
}

describe('watchMemory', () => {
  it("counts the server's connections until each socket closes", () => {
    const server = new EventEmitter()
    const {hooks, log} = recording()
    const policy = watchMemory(server, hooks, {burst: 3, minDrop: 3})!
    const sockets = Array.from({length: 4}, () => new EventEmitter())
    for (const s of sockets) server.emit('connection', s)
    assert.deepEqual(log, ['limit'])
    for (const s of sockets) s.emit('close')
    assert.deepEqual(log, ['limit', 'collect'])
    assert.equal(policy.collections, 1)
    // Each socket counts once.
    sockets[0].emit('close')
    assert.equal(policy.collections, 1)
  })

  it("one policy over several listeners' servers: a burst spread over them counts as one", () => {
    const servers = [new EventEmitter(), new EventEmitter()]
    const {hooks, log} = recording()
    const policy = watchMemory(servers, hooks, {burst: 4, minDrop: 4})!
    const sockets = Array.from({length: 4}, () => new EventEmitter())
    // Two on each listener: neither alone reaches the burst, together they do.
    for (const [i, s] of sockets.entries()) servers[i % 2]!.emit('connection', s)
    assert.deepEqual(log, ['limit'])
    for (const s of sockets) s.emit('close')
    assert.deepEqual(log, ['limit', 'collect'])
    assert.equal(policy.collections, 1)
  })

  it('DOCKERD_MEMORY_POLICY=0: nothing watched', () => {
    const saved = process.env.DOCKERD_MEMORY_POLICY
    process.env.DOCKERD_MEMORY_POLICY = '0'
    try {
      const server = new EventEmitter()
      assert.equal(watchMemory(server), undefined)
      assert.equal(server.listenerCount('connection'), 0)
    } finally {
      if (saved === undefined) delete process.env.DOCKERD_MEMORY_POLICY
      else process.env.DOCKERD_MEMORY_POLICY = saved
    }
  })
})

describe('collectGarbage', () => {
  it("frees garbage in this process's heap, and leaves gc() exposed to no new context", () => {
    let garbage: unknown[] | undefined = Array.from({length: 200_000}, (_, i) => ({i, s: `x${i}`}))
    const held = getHeapStatistics().used_heap_size
    assert.equal(garbage.length, 200_000)
    garbage = undefined
    collectGarbage()
    assert.ok(getHeapStatistics().used_heap_size < held - (8 << 20), 'at least 8 MiB freed')
    collectGarbage()
    assert.equal(runInNewContext('typeof gc'), 'undefined')
    assert.equal(garbage, undefined)
  })
})
