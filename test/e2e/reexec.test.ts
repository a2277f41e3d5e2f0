import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'

// Exercises the BUILT program: lib/ (npm run build) and bin/run.js.
const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const missing = [join(root, 'lib', 'reexec', 'command.js'), bin].filter(f => !existsSync(f))
const skip = missing.length > 0 && `needs ${missing.map(f => relative(root, f)).join(' and ')} (run npm run build)`

type ReexecApi = typeof import('../../src/reexec/index.js')

function finish(child: ChildProcess): Promise<{code: number | null; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve({code, stdout, stderr}))
  })
}

function envWithout(name: string): NodeJS.ProcessEnv {
  const env = {...process.env}
  delete env[name]
  return env
}

describe('reexec (built binary)', {skip, timeout: 30_000}, () => {
  it('command() starts dockerd-selftest with that argv0, the args and its exit status', async () => {
    const {command} = (await import(pathToFileURL(join(root, 'lib', 'reexec', 'index.js')).href)) as ReexecApi
    const child = command('dockerd-selftest', ['3', 'a b'], {stdio: ['ignore', 'pipe', 'pipe']})
    const r = await finish(child)
    assert.equal(r.code, 3, r.stderr)
    const out = JSON.parse(r.stdout) as {argv0: string; args: string[]; pid: number}
    assert.equal(out.argv0, 'dockerd-selftest')
    assert.deepEqual(out.args, ['3', 'a b'])
    assert.equal(out.pid, child.pid)
  })

  it('falls back to DOCKERD_REEXEC when argv0 is not a registered name', async () => {
    const child = spawn(process.execPath, [bin, '5'], {
      argv0: 'node',
      env: {...process.env, DOCKERD_REEXEC: 'dockerd-selftest'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const r = await finish(child)
    assert.equal(r.code, 5, r.stderr)
    assert.deepEqual((JSON.parse(r.stdout) as {args: string[]}).args, ['5'])
  })

  it('an unregistered argv0 falls through to the normal command', async () => {
    const child = spawn(process.execPath, [bin, '--version'], {
      argv0: 'not-registered',
      env: envWithout('DOCKERD_REEXEC'),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const r = await finish(child)
    assert.equal(r.code, 0, r.stderr)
    assert.ok(r.stdout.startsWith('Docker version '), r.stdout)
  })
})
