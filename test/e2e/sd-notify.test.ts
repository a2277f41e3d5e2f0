// sd_notify from the running daemon (NOTIFY_SOCKET): READY=1 once serving, RELOADING=1 then
// READY=1 around a SIGHUP reload, STOPPING=1 at shutdown. A python3 datagram socket stands in for
// systemd; the daemon sends through systemd-notify (Debian package systemd, installed by .ci/run).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {after, before, describe, it} from 'node:test'

import {NOT_BUILT, type Temp, baseArgs, daemonBuilt, shortTemp, sleep, startDaemon} from '../helpers/daemon.js'
import {type Receiver, startReceiver} from '../helpers/notify-receiver.js'

const tools = spawnSync('sh', ['-c', 'command -v systemd-notify && command -v python3'], {encoding: 'utf8'}).status === 0
const skip = !daemonBuilt ? NOT_BUILT : tools ? false : 'needs systemd-notify (Debian package systemd) and python3'

describe('sd_notify from the daemon', {skip, timeout: 60_000}, () => {
  let t: Temp
  let receiver: Receiver
  // systemd-notify sends one datagram per call, its assignments separated by newlines.
  const lines = () => receiver.messages.flatMap((m) => m.split('\n').filter(Boolean))
  /** Resolves with the index of the first matching notification at or after `from`; polls for 10 s at most. */
  const seen = async (pattern: RegExp, from = 0): Promise<number> => {
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const i = lines().findIndex((m, k) => k >= from && pattern.test(m))
      if (i !== -1) return i
      await sleep(20)
    }

    throw new Error(`no notification matching ${pattern} in 10 s (got ${JSON.stringify(lines())})`)
  }

  before(async () => {
    t = shortTemp()
    receiver = await startReceiver(t.p('notify.sock'))
  })
  after(() => {
    receiver.proc.kill('SIGKILL')
    t.done()
  })

  it('READY=1 when serving, RELOADING=1 then READY=1 around a reload, STOPPING=1 at shutdown', async () => {
    const d = await startDaemon(baseArgs(t), {env: {NOTIFY_SOCKET: t.p('notify.sock')}, home: t.dir})
    try {
      const ready = await seen(/^READY=1$/)
      process.kill(d.pid, 'SIGHUP')
      const reloading = await seen(/^RELOADING=1$/, ready + 1)
      assert.ok(lines().some((m, i) => i > reloading && /^MONOTONIC_USEC=\d+$/.test(m)), 'MONOTONIC_USEC with RELOADING=1')
      await seen(/^READY=1$/, reloading + 1)
    } finally {
      assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
    }

    await seen(/^STOPPING=1$/)
  })
})
