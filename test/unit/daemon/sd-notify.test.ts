import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {describe, it} from 'node:test'

import {notify} from '../../../src/daemon/sd-notify.js'
import {hasCommand, tempDir} from './helpers.js'

/** A fake NOTIFY_SOCKET: prints {"bound":true}, then one JSON line per datagram until BARRIER=1. */
const RECEIVER = `
import json, os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + path[1:] if path.startswith('@') else path)
print(json.dumps({"bound": True}), flush=True)
s.settimeout(8)
while True:
    try:
        msg, fds, _flags, _addr = socket.recv_fds(s, 4096, 4)
    except socket.timeout:
        break
    for fd in fds:
        os.close(fd)
    text = msg.decode()
    print(json.dumps({"msg": text}), flush=True)
    if text == "BARRIER=1":
        break
`

function startReceiver(path: string): Promise<{proc: ChildProcess; messages: string[]; done: Promise<void>}> {
  const proc = spawn('python3', ['-c', RECEIVER, path], {stdio: ['ignore', 'pipe', 'inherit'], timeout: 15_000})
  const messages: string[] = []
  const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    proc.once('error', reject)
    createInterface({input: proc.stdout!}).on('line', (line) => {
      const v = JSON.parse(line) as {bound?: boolean; msg?: string}
      if (v.bound) resolve({proc, messages, done})
      else if (v.msg !== undefined) messages.push(v.msg)
    })
  })
}

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
        const r = await startReceiver(path)
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
