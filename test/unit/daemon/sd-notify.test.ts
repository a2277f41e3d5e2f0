import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {notify} from '../../../src/daemon/sd-notify.js'
import {startReceiver} from '../../helpers/notify-receiver.js'
import {hasCommand, tempDir} from './helpers.js'

describe('sd-notify', {timeout: 30_000}, () => {
  it('is a no-op without NOTIFY_SOCKET', async () => {
    assert.equal(await notify('READY=1', {env: {}, command: '/nonexistent/systemd-notify'}), false)
    assert.equal(await notify('READY=1', {env: {NOTIFY_SOCKET: ''}}), false)
  })

  it('reports failure instead of throwing', async () => {
    assert.equal(await notify('READY=1', {env: {NOTIFY_SOCKET: '/nonexistent.sock'}, command: '/nonexistent/systemd-notify'}), false)
  })

  const skip =
    !hasCommand('systemd-notify', ['--version']) || !hasCommand('python3', ['--version'])
      ? 'needs systemd-notify and python3'
      : false

  for (const kind of ['path', 'abstract'] as const) {
    it(`delivers the state to a real datagram receiver (${kind} socket)`, {skip}, async () => {
      const t = tempDir()
      try {
        const path = kind === 'path' ? join(t.dir, 'notify.sock') : `@dockerd-ts-notify-${process.pid}`
        const r = await startReceiver(path, {stopAtBarrier: true})
        try {
          const ok = await notify('READY=1\nSTATUS=Daemon has completed initialization', {
            env: {...process.env, NOTIFY_SOCKET: path},
          })
          assert.equal(ok, true)
          await r.done
          const lines = r.messages.join('\n').split('\n')
          assert.ok(lines.includes('READY=1'), r.messages.join(' | '))
          assert.ok(lines.includes('STATUS=Daemon has completed initialization'))
          assert.ok(lines.includes(`MAINPID=${process.pid}`))
        } finally {
          r.proc.kill()
        }
      } finally {
        t.remove()
      }
    })
  }
})
