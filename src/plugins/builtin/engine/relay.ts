// The front's forwarding path (src/api/front.ts): one client connection relays its plain
// requests on one upstream connection of its own, kept for as long as both stay open. The
// request head goes up as the bytes the client sent (the front took it only when no field in
// it is hop-by-hop, so forwarding it unchanged is what the fast path would write); the answer
// comes down as the fast path sends it: behind its own head when nothing in that head needs to
// change (framing.ts's `clean`), else behind the head the fast path rebuilds. Only the answer's head and framing are read (framing.ts), to know
// where it ends. No pool acquire, timer or listener per request: the work left per request is
// one parse of each head and one write each way.
import type {Socket} from 'node:net'

import type {EngineRelay, RelayOutcome} from '../../../api/types.js'
import {clientHead, type Conn, type ConnSource, type ConnUser, writeStart} from './fast.js'
import {ResponseReader} from './framing.js'

export class Relay implements ConnUser, EngineRelay {
  private conn?: Conn
  private readonly reader = new ResponseReader()
  private done?: (outcome: RelayOutcome) => void
  private head?: Buffer
  /** Answer bytes arrived for the request in flight (a retry would no longer be safe). */
  private gotBytes = false
  private sentHead = false
  private retried = false
  private waitingDrain = false

  constructor(
    private readonly source: ConnSource,
    private readonly client: Socket,
    /** Requests still go to this upstream (not retired by a reload, not closed). */
    private readonly isCurrent: () => boolean,
  ) {}

  get current(): boolean {
    return this.isCurrent()
  }

  send(head: Buffer, noBody: boolean, done: (outcome: RelayOutcome) => void): void {
    this.done = done
    this.head = head
    this.gotBytes = false
    this.sentHead = false
    this.retried = false
    this.reader.reset(noBody)
    if (this.conn && !this.conn.socket.destroyed) this.write(this.conn)
    else this.connect(false)
  }

  private connect(fresh: boolean): void {
    this.conn = undefined
    this.source.acquire(fresh, (error, conn) => {
      if (!this.done) {
        // The client went away while connecting.
        conn?.done(true)
        return
      }

      if (error || !conn) {
        this.source.failed(error)
        this.finish('unsent')
        return
      }

      this.conn = conn
      conn.exchange = this
      this.write(conn)
    })
  }

  private write(conn: Conn): void {
    conn.uses++
    conn.socket.write(this.head!)
  }

  onData(chunk: Buffer): void {
    if (!this.done) {
      // Bytes with no request in flight: the upstream is out of step; never use this connection again.
      this.drop()
      return
    }

    this.gotBytes = true
    const reader = this.reader
    let body: Buffer
    try {
      body = reader.feed(chunk)
    } catch {
      this.broke()
      return
    }

    const head = reader.head
    if (!head) return
    const client = this.client
    let ok: boolean
    if (!this.sentHead) {
      this.sentHead = true
      ok = writeStart(client, clientHead(head, head.framing.kind === 'close'), head.raw, body)
    } else ok = body.length === 0 || client.write(body)

    if (reader.done) {
      const reusable = head.keepAlive && reader.extra === undefined
      if (!reusable) this.drop()
      this.finish(head.framing.kind === 'close' ? 'closed' : 'done')
    } else if (!ok && !this.waitingDrain) {
      // The client reads slower than the upstream answers: stop reading the upstream until it drains.
      this.waitingDrain = true
      this.conn!.socket.pause()
      client.once('drain', this.onClientDrain)
    }
  }

  private readonly onClientDrain = (): void => {
    this.waitingDrain = false
    this.conn?.socket.resume()
  }

  onEnd(): void {
    if (this.done && this.reader.end()) {
      this.drop()
      this.finish('closed')
    } else this.lost()
  }

  onClose(): void {
    this.lost()
  }

  onError(): void {
    this.lost()
  }

  onUpDrain(): void {}

  /** The upstream connection ended or failed. */
  private lost(): void {
    const conn = this.conn
    this.drop()
    if (!this.done) return
    // A kept connection the upstream closed just before this request: once more on a new one.
    if (!this.gotBytes && conn && conn.uses > 1 && !this.retried) {
      this.retried = true
      this.connect(true)
      return
    }

    this.broke()
  }

  /** The answer cannot be relayed: before any of it reached the client the request goes back unanswered. */
  private broke(): void {
    this.drop()
    if (this.sentHead) {
      // Mid-answer: the client's answer ends the same way (not cleanly).
      this.client.destroy()
      this.finish('broken')
    } else this.finish('unsent')
  }

  private finish(outcome: RelayOutcome): void {
    const done = this.done
    this.done = undefined
    this.head = undefined
    done?.(outcome)
  }

  /** This relay's upstream connection is not used again. */
  private drop(): void {
    const conn = this.conn
    if (!conn) return
    this.conn = undefined
    conn.exchange = undefined
    if (this.waitingDrain) {
      this.waitingDrain = false
      this.client.off('drain', this.onClientDrain)
    }

    conn.done(false)
  }

  release(): void {
    const conn = this.conn
    if (!conn) return
    if (this.done) {
      // The client went away mid-answer: the upstream request stops too.
      this.done = undefined
      this.drop()
      return
    }

    this.conn = undefined
    conn.exchange = undefined
    conn.done(true)
  }
}
