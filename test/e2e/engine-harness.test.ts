// The upstream-engine harness itself (test/helpers/engine.ts), with the docker CLI straight at the
// real dockerd: the image is there, containers run, stdin reaches them and their output comes
// back after stdin's half-close, a restart keeps state, a stop leaves no process behind, and a
// dockerd that cannot start is reported with its log. The engine-backend tests build on this.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'

import {type Engine, IMAGE, dockerCli, engineSkipReason, processesUnder, startEngine} from '../helpers/engine.js'

const skip = engineSkipReason() ?? false

describe('upstream engine harness', {skip}, () => {
  let engine: Engine

  before(async () => {
    engine = await startEngine()
  })
  after(async () => {
    await engine?.close()
  })

  it('starts a private dockerd with mini:1 and mini:latest imported', async () => {
    assert.ok(engine.sock.length < 108, engine.sock)
    assert.ok(engine.sock.startsWith(engine.dir))
    const r = await dockerCli(engine.host, ['images', '--format', '{{.Repository}}:{{.Tag}}'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['mini:1', 'mini:latest'])
  })

  it('docker run --rm --network none mini:1 echo hello', async () => {
    const r = await dockerCli(engine.host, ['run', '--rm', '--network', 'none', IMAGE, 'echo', 'hello'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'hello\n')
  })

  it('echo data | docker run -i --rm --network none mini:1 cat (stdin, then half-close)', async () => {
    const r = await dockerCli(engine.host, ['run', '-i', '--rm', '--network', 'none', IMAGE, 'cat'], {input: 'data\n'})
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'data\n')
  })

  it('a failing container passes its exit status through the CLI', async () => {
    const r = await dockerCli(engine.host, ['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'echo oops >&2; exit 3'])
    assert.equal(r.code, 3)
    assert.equal(r.stderr, 'oops\n')
  })

  it('restart on the same paths keeps the images; a running container is stopped and nothing is left', async () => {
    const run = await dockerCli(engine.host, ['run', '-d', '--stop-timeout', '1', '--network', 'none', IMAGE, 'sleep', '600'])
    assert.equal(run.code, 0, run.stderr)
    // dockerd, containerd, the shim and the container's sleep.
    assert.ok(engine.strays().length >= 4, `expected the engine's processes, got ${engine.strays().join(' ')}`)
    const before = engine.pid
    await engine.stop()
    assert.equal(engine.running(), false)
    assert.deepEqual(engine.strays(), [])
    await engine.start()
    assert.notEqual(engine.pid, before)
    const r = await dockerCli(engine.host, ['run', '--rm', '--network', 'none', 'mini:latest', 'echo', 'again'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'again\n')
    const ps = await dockerCli(engine.host, ['ps', '-a', '-q'])
    assert.equal(ps.stdout.trim(), run.stdout.trim().slice(0, 12))
    assert.equal((await dockerCli(engine.host, ['rm', run.stdout.trim()])).code, 0)
  })

  it('close() stops everything it started and removes the temp dir', async () => {
    const other = await startEngine({image: false})
    assert.ok(other.strays().includes(other.pid))
    await other.close()
    assert.deepEqual(processesUnder(other.dir), [])
    assert.equal(existsSync(other.dir), false)
  })

  it('a dockerd that cannot start is reported with its log, and leaves nothing', async () => {
    await assert.rejects(startEngine({extraArgs: ['--no-such-flag']}), (error: Error) => {
      assert.match(error.message, /dockerd exited \(\d+\) before answering \/_ping on \/tmp\/de-[^/]+\/engine\.sock; engine log:\n[^]*unknown flag: --no-such-flag/)
      const dir = /on (\/tmp\/de-[^/]+)\//.exec(error.message)![1]!
      assert.equal(existsSync(dir), false)
      return true
    })
  })

  it('the docker CLI helper reports an unreachable host and a timeout', async () => {
    const gone = await dockerCli(`unix://${engine.dir}/nothing.sock`, ['version', '--format', '{{.Server.Version}}'])
    assert.notEqual(gone.code, 0)
    assert.match(gone.stderr, /Cannot connect to the Docker daemon at unix:\/\/\/tmp\/de-[^/]+\/nothing\.sock/)
    const slow = await dockerCli(engine.host, ['events'], {ms: 1500})
    assert.equal(slow.code, null)
    assert.match(slow.stderr, /docker events killed after 1500 ms/)
  })
})
