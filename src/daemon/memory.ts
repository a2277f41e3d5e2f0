// Memory after a burst of connections (1,000 `/events` subscribers, a CI job's parallel pulls).
// Left to itself, V8 keeps what such a burst made it take: its young generation grows (up to two
// 16 MiB semi-spaces) while long-lived connections survive scavenges, and the old generation keeps
// the connections' garbage, because an idle daemon allocates nothing and so triggers no
// collection (V8's own memory reducer comes 8 s after a full collection, and only after one).
// Measured (bench/README.md, "Memory and the single executable"): +17-22 MiB stayed for good.
// So, once a burst starts, the young generation stops growing (the semi-space growth factor is one
// of the few heap flags V8 reads at run time), and once most of it has left and the daemon is
// quiet, the daemon asks V8 for one compacting full collection (~25 ms), never more often than
// every `minIntervalMs` and never while requests flow. DOCKERD_MEMORY_POLICY=0 turns both off.
import type {EventEmitter} from 'node:events'
import {createRequire} from 'node:module'
import type {Socket} from 'node:net'
import type {EventLoopUtilization} from 'node:perf_hooks'

import {tracer} from '../log/debug.js'

// DEBUG=dockerd:memory traces each decision and collection.
const trace = tracer('memory')

export interface MemoryPolicyOptions {
  /** Open connections at which a burst starts: the young generation stops growing from then on. */
  burst: number
  /** Connections that must have closed since the peak before a collection is worth its cost... */
  minDrop: number
  /** ...and the share of the peak still open must be at most this (a drop, not a wobble). */
  maxOpenShare: number
  /** No connection opened or closed for this long (ms) counts as quiet. */
  quietMs: number
  /** Event-loop utilisation (0-1) over the last quiet period above which the daemon is busy. */
  maxBusy: number
  /** Two collections are at least this far apart (ms). */
  minIntervalMs: number
  /** A drop that found no quiet moment for this long (ms) is forgotten (load collects by itself). */
  giveUpMs: number
}

export const MEMORY_POLICY_DEFAULTS: Readonly<MemoryPolicyOptions> = Object.freeze({
  burst: 64,
  giveUpMs: 60_000,
  maxBusy: 0.1,
  maxOpenShare: 0.5,
  minDrop: 256,
  minIntervalMs: 30_000,
  quietMs: 1000,
})

/** What the policy knows when it decides (times in ms on one clock). */
export interface MemoryView {
  now: number
  /** Connections open now, and the most open since the last collection (or give-up). */
  open: number
  peak: number
  /** When a connection last opened or closed. */
  lastChange: number
  /** When the last collection ran (-Infinity: never). */
  lastCollect: number
  /** When the policy started waiting for a quiet moment after this drop. */
  waitingSince: number
  /** Event-loop utilisation since the last check. */
  busy: number
}

export type MemoryDecision = {kind: 'collect'} | {kind: 'forget'} | {kind: 'wait'; ms: number}

/** Whether enough of a burst has left to be worth a collection. */
export function isLargeDrop(open: number, peak: number, o: MemoryPolicyOptions = MEMORY_POLICY_DEFAULTS): boolean {
  return peak - open >= o.minDrop && open <= peak * o.maxOpenShare
}

/**
 * The decision at a check: collect now, wait (for quiet, or for the rate limit), or forget the
 * drop (connections came back, or no quiet moment came in time).
 */
export function decide(v: MemoryView, o: MemoryPolicyOptions = MEMORY_POLICY_DEFAULTS): MemoryDecision {
  if (!isLargeDrop(v.open, v.peak, o) || v.now - v.waitingSince >= o.giveUpMs) return {kind: 'forget'}
  const ms = Math.max(v.lastCollect + o.minIntervalMs, v.lastChange + o.quietMs) - v.now
  if (ms > 0) return {kind: 'wait', ms}
  if (v.busy > o.maxBusy) return {kind: 'wait', ms: o.quietMs}
  return {kind: 'collect'}
}

/** What the policy acts through (the real ones by default; tests give their own). */
export interface MemoryHooks {
  collect(): void
  limitYoungGeneration(): void
  now(): number
  /** Event-loop utilisation (0-1) since the previous call. */
  busy(): number
  schedule(fn: () => void, ms: number): void
}

/** Counts connections and applies decide(); see the top of this file. */
export class MemoryPolicy {
  private open = 0
  private peak = 0
  private lastChange = 0
  private lastCollect = Number.NEGATIVE_INFINITY
  private waitingSince = 0
  private waiting = false
  private limited = false
  private readonly options: MemoryPolicyOptions
  private readonly hooks: MemoryHooks
  /** Collections run so far (for tests and the trace). */
  collections = 0

  constructor(hooks: Partial<MemoryHooks> = {}, options: Partial<MemoryPolicyOptions> = {}) {
    this.hooks = {...realHooks(), ...hooks}
    this.options = {...MEMORY_POLICY_DEFAULTS, ...options}
  }

  opened(): void {
    this.lastChange = this.hooks.now()
    if (++this.open > this.peak) this.peak = this.open
    if (!this.limited && this.open >= this.options.burst) {
      this.limited = true
      this.hooks.limitYoungGeneration()
      trace('%d connections open: young generation limited', this.open)
    }
  }

  closed(): void {
    this.lastChange = this.hooks.now()
    this.open--
    if (this.waiting || !isLargeDrop(this.open, this.peak, this.options)) return
    this.waiting = true
    this.waitingSince = this.lastChange
    this.hooks.busy()
    this.hooks.schedule(() => this.check(), this.options.quietMs)
  }

  private check(): void {
    const view = {busy: this.hooks.busy(), lastChange: this.lastChange, lastCollect: this.lastCollect, now: this.hooks.now(), open: this.open, peak: this.peak, waitingSince: this.waitingSince}
    const d = decide(view, this.options)
    trace('check: %o -> %o', view, d)
    if (d.kind === 'wait') {
      this.hooks.schedule(() => this.check(), d.ms)
      return
    }

    this.waiting = false
    if (d.kind === 'forget') {
      // Connections came back: their peak still counts. No quiet moment came: start afresh.
      if (isLargeDrop(this.open, this.peak, this.options)) this.peak = this.open
      return
    }

    this.hooks.collect()
    this.collections++
    this.lastCollect = this.hooks.now()
    this.peak = this.open
  }
}

/**
 * Applies one MemoryPolicy to the connections the `servers` accept ('connection' with a socket):
 * the listeners' own servers, so that a connection counts once, from its accept, whether the
 * connection front keeps it or hands it to node:http.
 */
export function watchMemory(servers: EventEmitter | readonly EventEmitter[], hooks?: Partial<MemoryHooks>, options?: Partial<MemoryPolicyOptions>): MemoryPolicy | undefined {
  if (process.env.DOCKERD_MEMORY_POLICY === '0') return undefined
  const policy = new MemoryPolicy(hooks, options)
  const closed = (): void => policy.closed()
  const opened = (socket: Socket): void => {
    policy.opened()
    socket.once('close', closed)
  }

  for (const server of Array.isArray(servers) ? servers : [servers]) server.on('connection', opened)
  return policy
}

// node:v8 costs ~3 ms to load: required only once a burst starts.
const nodeRequire = createRequire(import.meta.url)
const v8 = (): typeof import('node:v8') => nodeRequire('node:v8') as typeof import('node:v8')

/** Young generation: no growth from its current size (1 MiB semi-spaces at start). */
export function limitYoungGeneration(): void {
  v8().setFlagsFromString('--semi-space-growth-factor=1')
}

let gc: (() => void) | undefined

/**
 * One full collection that compacts every page with free space, so emptied pages go back to the
 * system. V8's gc() is reached the documented way (--expose-gc), set only while a context is
 * made to fetch it; compaction on every full collection is set only around the call.
 */
export function collectGarbage(): void {
  const flags = v8()
  if (!gc) {
    flags.setFlagsFromString('--expose-gc')
    try {
      gc = (nodeRequire('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void
    } finally {
      flags.setFlagsFromString('--no-expose-gc')
    }
  }

  flags.setFlagsFromString('--compact-on-every-full-gc')
  try {
    gc()
  } finally {
    flags.setFlagsFromString('--no-compact-on-every-full-gc')
  }
}

function realHooks(): MemoryHooks {
  let last: EventLoopUtilization | undefined
  return {
    busy() {
      const now = performance.eventLoopUtilization()
      const u = last ? performance.eventLoopUtilization(now, last).utilization : 0
      last = now
      return u
    },
    collect() {
      const before = trace.enabled ? process.memoryUsage() : undefined
      const t = performance.now()
      collectGarbage()
      if (before) {
        const after = process.memoryUsage()
        const mib = (n: number): string => (n / 1048576).toFixed(1)
        trace('collected in %s ms: heap %s -> %s MiB, rss %s -> %s MiB', (performance.now() - t).toFixed(1), mib(before.heapTotal), mib(after.heapTotal), mib(before.rss), mib(after.rss))
      }
    },
    limitYoungGeneration,
    // Date.now, not performance.now: the first connection must not load perf_hooks.
    now: Date.now,
    schedule(fn, ms) {
      setTimeout(fn, ms).unref()
    },
  }
}
