// The Daemon object in-process: start then stop on temp dirs and a unix socket, a failed start
// that leaves nothing, a reload with a broken configuration that keeps the old one.
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {get} from 'node:http'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {loadConfig} from '../../../src/config/load.js'
import type {LoadInput} from '../../../src/config/types.js'
import {Daemon, StartError} from '../../../src/daemon/daemon.js'
import {bindSignals} from '../../../src/daemon/signals.js'
import {log} from '../../../src/log/logger.js'
import {optionTable} from '../../../src/options/index.js'
import type {DockerdPlugin} from '../../../src/plugins/types.js'
import {flagsFrom} from '../../helpers/config.js'
import {captureLog, tempDir} from './helpers.js'

const lines: string[] = []
before(() => log.configure({write: (line: string) => void lines.push(line)}))
after(() => log.configure({write: (line: string) => void process.stderr.write(line)}))

/** A daemon's configuration on temp dirs: data, exec root, pidfile, socket and daemon.json under `dir`. */
function input(dir: string, file?: string, extra: string[] = []) {
  const p = (name: string) => join(dir, name)
  if (file !== undefined) writeFileSync(p('daemon.json'), file)
  const argv = ['--data-root', p('data'), '--exec-root', p('exec'), '--pidfile', p('docker.pid'), '-H', `unix://${p('docker.sock')}`, '--config-file', p('daemon.json'), ...extra]
  const table = optionTable('linux', [])
  const load: LoadInput = {configFile: p('daemon.json'), configFileExplicit: true, defaults: {env: {HOME: dir, PATH: ''}, platform: 'linux', rootless: false}, flags: flagsFrom(argv), table}
  const result = loadConfig(load)
  assert.ok(result.config, JSON.stringify(result.problems))
  return {config: result.config, load, platform: 'linux' as const}
}

function ping(socketPath: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    get({path: '/_ping', socketPath, timeout: 5000}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({body, status: res.statusCode ?? 0}))
    }).on('error', reject)
  })
}

describe('Daemon', () => {
  it('start serves the API on its socket, writes the pidfile; stop removes both and keeps the data', async (t) => {
    const tmp = tempDir()
    t.after(() => tmp.remove())
    const started: string[] = []
    const plugin: DockerdPlugin = {name: 'probe', shutdown: () => void started.push('shutdown'), start: () => void started.push('start')}
    const daemon = new Daemon(input(tmp.dir, '{}'), {plugins: [plugin]})
    await daemon.start()
    const sock = join(tmp.dir, 'docker.sock')
    assert.deepEqual(daemon.addresses, [sock])
    assert.equal(readFileSync(join(tmp.dir, 'docker.pid'), 'utf8').trim(), String(process.pid))
    assert.deepEqual(await ping(sock), {body: 'OK', status: 200})
    assert.deepEqual(started, ['start'])
    await assert.rejects(daemon.start(), /daemon already running/)
    await daemon.stop()
    await daemon.wait()
    assert.deepEqual(started, ['start', 'shutdown'])
    assert.equal(existsSync(sock), false, 'socket removed')
    assert.equal(existsSync(join(tmp.dir, 'docker.pid')), false, 'pidfile removed')
    assert.equal(existsSync(join(tmp.dir, 'data', 'engine-id')), true, 'the engine ID stays')
    await daemon.stop() // idempotent
    assert.ok(lines.some((l) => l.includes('Daemon shutdown complete')))
  })

  it('a failed start throws dockerd\'s message and leaves no directory, pidfile, socket or engine ID', async (t) => {
    const tmp = tempDir()
    t.after(() => tmp.remove())
    const stopped: string[] = []
    const plugins: DockerdPlugin[] = [
      {name: 'first', shutdown: () => void stopped.push('first')},
      {
        name: 'boom',
        start() {
          throw new Error('no luck')
        },
      },
    ]
    const daemon = new Daemon(input(tmp.dir, '{}'), {plugins})
    await assert.rejects(daemon.start(), (error: Error) => {
      assert.ok(error instanceof StartError)
      assert.equal(error.message, 'failed to start daemon: plugin boom: no luck')
      return true
    })
    assert.deepEqual(stopped, ['first'], 'the plugins already started are stopped again')
    for (const name of ['data', 'exec', 'docker.pid', 'docker.sock']) assert.equal(existsSync(join(tmp.dir, name)), false, name)
    await daemon.stop() // nothing to stop
    assert.equal(await daemon.reload(), false)
  })

  it('a reload with a broken configuration keeps the old one; a good one applies the reloadable options', async (t) => {
    const tmp = tempDir()
    t.after(() => tmp.remove())
    const reloads: Array<{applied: string[]; needRestart: string[]}> = []
    const daemon = new Daemon(input(tmp.dir, '{"max-concurrent-downloads": 5}'), {plugins: [{name: 'watch', reload: (ctx) => void reloads.push(ctx.changes)}]})
    await daemon.start()
    t.after(() => daemon.stop())
    const before = daemon.config
    writeFileSync(join(tmp.dir, 'daemon.json'), '{"max-concurrent-downloads": ')
    assert.equal(await daemon.reload(), false)
    assert.equal(daemon.config, before, 'the same configuration object')
    assert.ok(lines.some((l) => l.includes('Error reloading configuration')))
    assert.deepEqual(reloads, [], 'plugins are not told about a failed reload')
    writeFileSync(join(tmp.dir, 'daemon.json'), '{"max-concurrent-downloads": 7, "storage-driver": "vfs"}')
    assert.equal(await daemon.reload(), true)
    assert.equal(daemon.config.values['max-concurrent-downloads'], 7)
    assert.equal(daemon.config.values['storage-driver'], undefined, 'storage-driver needs a restart')
    assert.deepEqual(reloads, [{applied: ['max-concurrent-downloads'], needRestart: ['storage-driver']}])
  })
})

describe('bindSignals', () => {
  it('HUP reloads, the first INT/TERM stops, the 4th forces exit; USR1 writes a report; unbinding removes them', async (t) => {
    const tmp = tempDir()
    t.after(() => tmp.remove())
    const calls: string[] = []
    const target = {diagnosticsDir: tmp.dir, reload: async () => calls.push('reload'), stop: async () => calls.push('stop')}
    const log = captureLog()
    const unbind = bindSignals(target, log, (code) => void calls.push(`exit ${code}`))
    try {
      process.emit('SIGHUP', 'SIGHUP')
      process.emit('SIGTERM', 'SIGTERM')
      process.emit('SIGINT', 'SIGINT')
      process.emit('SIGTERM', 'SIGTERM')
      assert.deepEqual(calls, ['reload', 'stop'], 'the 2nd and 3rd are counted only')
      process.emit('SIGINT', 'SIGINT')
      assert.deepEqual(calls, ['reload', 'stop', 'exit 130'])
      process.emit('SIGUSR1', 'SIGUSR1')
      assert.equal(readdirSync(tmp.dir).filter((f) => f.startsWith('dockerd-report-')).length, 1)
    } finally {
      unbind()
    }

    assert.equal(process.listenerCount('SIGHUP'), 0)
    assert.ok(log.entries.some((e) => e.msg === 'Forcing docker daemon shutdown without cleanup; 3 interrupts received'))
  })
})
