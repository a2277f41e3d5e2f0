// The daemon's event service (moby daemon/events): a bounded history for `since`/`until`
// replay plus live fan-out to `/events` streams.
import {goJson} from './respond.js'
import {nowUnixNano} from './timestamp.js'
import type {DaemonEvent, DaemonEventInput, EventListener} from './types.js'
import {versionLessThan} from './versions.js'

/** moby keeps the last 256 events for replay. */
export const EVENTS_HISTORY_LIMIT = 256

/** A live subscriber's unsent bytes beyond which it is ended (a client that stopped reading). */
export const EVENTS_SUBSCRIBER_BACKLOG = 1 << 20
/** All live subscribers' unsent bytes together; past it the furthest behind are ended first. */
export const EVENTS_TOTAL_BACKLOG = 32 << 20

/** How a subscriber's stream is doing: the bus ends one that falls too far behind. */
export interface SubscriberFlow {
  /** Bytes written and not yet taken by the client (a response's writableLength). */
  backlog(): number
  /** Called once when the bus drops the subscriber; `reason` is for the log. */
  overflow(reason: string): void
}

interface Subscriber {
  listener: EventListener
  onClose?: () => void
  flow?: SubscriberFlow
}

const NS_PER_S = 1_000_000_000n

function toBigInt(v: bigint | number | string): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`invalid timeNano: ${v}`)
    return BigInt(Math.trunc(v))
  }
  if (!/^-?\d+$/.test(v)) throw new TypeError(`invalid timeNano: ${JSON.stringify(v)}`)
  return BigInt(v)
}

export class EventBus {
  private readonly limit: number
  private readonly now: () => bigint
  private readonly history: DaemonEvent[] = []
  private readonly subscribers = new Set<Subscriber>()
  private lastNano = 0n
  private isClosed = false
  private readonly subscriberBacklog: number
  private readonly totalBacklog: number

  constructor(options: {limit?: number; now?: () => bigint; subscriberBacklog?: number; totalBacklog?: number} = {}) {
    this.limit = options.limit ?? EVENTS_HISTORY_LIMIT
    this.now = options.now ?? nowUnixNano
    this.subscriberBacklog = options.subscriberBacklog ?? EVENTS_SUBSCRIBER_BACKLOG
    this.totalBacklog = options.totalBacklog ?? EVENTS_TOTAL_BACKLOG
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError(`invalid events history limit: ${this.limit}`)
  }

  /** Listeners currently attached (`NEventsListener` in `/info`). */
  get subscriberCount(): number {
    return this.subscribers.size
  }

  get closed(): boolean {
    return this.isClosed
  }

  /**
   * Records and broadcasts an event. Missing `scope` becomes `local`, missing times become
   * now; a given `time` alone is widened to nanoseconds, a given `timeNano` alone narrowed.
   */
  publish(input: DaemonEventInput): DaemonEvent {
    let timeNano: bigint
    if (input.timeNano !== undefined) {
      timeNano = toBigInt(input.timeNano)
    } else if (input.time !== undefined) {
      timeNano = BigInt(Math.trunc(input.time)) * NS_PER_S
    } else {
      // Strictly increasing stamps keep the history sorted, which replay relies on.
      timeNano = this.now()
      if (timeNano <= this.lastNano) timeNano = this.lastNano + 1n
      this.lastNano = timeNano
    }
    const time = input.time ?? Number(timeNano >= 0n ? timeNano / NS_PER_S : -((-timeNano + NS_PER_S - 1n) / NS_PER_S))
    const event: DaemonEvent = {
      Type: input.Type,
      Action: input.Action,
      Actor: {ID: input.Actor.ID, Attributes: {...input.Actor.Attributes}},
      scope: input.scope ?? 'local',
      time,
      timeNano,
    }
    this.history.push(event)
    if (this.history.length > this.limit) this.history.shift()
    if (this.isClosed) return event
    // Copy: a listener may unsubscribe (or subscribe) while we iterate.
    let total = 0
    const flowing: Array<[Subscriber, number]> = []
    for (const sub of [...this.subscribers]) {
      if (!this.subscribers.has(sub)) continue
      const before = sub.flow?.backlog() ?? 0
      if (before > this.subscriberBacklog) {
        this.drop(sub, `${before} bytes not read, over the limit of ${this.subscriberBacklog} per subscriber`)
        continue
      }

      try {
        sub.listener(event)
      } catch {
        // One broken stream must not stop delivery to the others.
      }

      if (!sub.flow) continue
      const after = sub.flow.backlog()
      total += after
      flowing.push([sub, after])
    }

    if (total > this.totalBacklog) {
      // Memory for all the slow readers together is bounded too: end the furthest behind first.
      flowing.sort((a, b) => b[1] - a[1])
      for (const [sub, backlog] of flowing) {
        if (total <= this.totalBacklog) break
        total -= backlog
        this.drop(sub, `${backlog} bytes not read while all subscribers together were over the limit of ${this.totalBacklog}`)
      }
    }

    return event
  }

  private drop(sub: Subscriber, reason: string): void {
    if (!this.subscribers.delete(sub)) return
    try {
      sub.flow?.overflow(reason)
    } catch {
      // Ending one stream must not stop the others.
    }
  }

  /**
   * Adds a live listener; returns the unsubscribe function (idempotent). `onClose` runs once
   * when the bus closes (immediately if it already is). With `flow`, a subscriber whose backlog
   * passes EVENTS_SUBSCRIBER_BACKLOG, or the largest ones when all together pass
   * EVENTS_TOTAL_BACKLOG, is removed and told through `flow.overflow`.
   */
  subscribe(listener: EventListener, onClose?: () => void, flow?: SubscriberFlow): () => void {
    if (this.isClosed) {
      onClose?.()
      return () => {}
    }
    const sub: Subscriber = {listener, onClose, flow}
    this.subscribers.add(sub)
    return () => {
      this.subscribers.delete(sub)
    }
  }

  /**
   * History between two Unix-nanosecond bounds, oldest first, both inclusive (moby's
   * loadBufferedEvents: walks back from the newest and stops at the first older than since).
   */
  since(sinceNs: bigint | number, untilNs?: bigint | number): DaemonEvent[] {
    const lo = toBigInt(sinceNs)
    const hi = untilNs === undefined ? undefined : toBigInt(untilNs)
    const out: DaemonEvent[] = []
    for (let i = this.history.length - 1; i >= 0; i--) {
      const ev = this.history[i]
      if (ev.timeNano < lo) break
      if (hi !== undefined && ev.timeNano > hi) continue
      out.push(ev)
    }
    return out.reverse()
  }

  /** Ends every subscription (their `onClose` runs); later publishes are only recorded. */
  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    const subs = [...this.subscribers]
    this.subscribers.clear()
    for (const sub of subs) {
      try {
        sub.onClose?.()
      } catch {
        // Keep closing the others.
      }
    }
  }
}

const sortedRecord = (r: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]))

/**
 * One event as `/events` writes it for the given API version (no trailing newline).
 * Go's field order, sorted attribute keys (a Go map), HTML-escaped (the stream encoder
 * keeps Go's default) and `timeNano` as exact integer digits. Below API 1.52 container and
 * image events carry the legacy `status`/`id`(/`from`) fields; moby merges them through a
 * map, so every key comes out sorted.
 */
export function serializeEvent(ev: DaemonEvent, apiVersion: string): string {
  const legacy = (ev.Type === 'container' || ev.Type === 'image') && versionLessThan(apiVersion, '1.52')
  const attrs = sortedRecord(ev.Actor.Attributes)
  let body: Record<string, unknown>
  if (legacy) {
    body = {
      Action: ev.Action,
      Actor: {Attributes: attrs, ID: ev.Actor.ID},
      Type: ev.Type,
      ...(ev.Type === 'container' ? {from: ev.Actor.Attributes.image ?? ''} : {}),
      id: ev.Actor.ID,
      ...(ev.scope ? {scope: ev.scope} : {}),
      status: ev.Action,
    }
  } else {
    body = {Type: ev.Type, Action: ev.Action, Actor: {ID: ev.Actor.ID, Attributes: attrs}}
    if (ev.scope) body.scope = ev.scope
  }
  if (ev.time !== 0) body.time = ev.time
  const json = goJson(body, true)
  // timeNano is the last field in both layouts; JSON.stringify cannot write a bigint.
  return ev.timeNano === 0n ? json : `${json.slice(0, -1)},"timeNano":${ev.timeNano}}`
}
