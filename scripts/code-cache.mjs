// node scripts/code-cache.mjs <lib/name.bundle.cjs>: writes <file>.cache, the V8 code cache
// bin/run.js's loadBundle() compiles that bundle with. Run by scripts/build.mjs, one child per
// bundle (a training run must not share a heap with the build).
//
// The script is compiled by the same function as loadBundle() (bin/load-bundle.js), then
// run through what a start uses, so that the functions V8 compiled lazily on the way are in the
// cache too, not only the top level: for fast-start.bundle.cjs a real daemon start on private
// temp paths (a unix socket, no TCP) up to its first /_ping 200, with the engine plugin configured
// (a stand-in upstream answers its probe), so that an engine start finds its code in the cache too.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {createServer} from 'node:net'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {basename, join, resolve} from 'node:path'

const file = resolve(process.argv[2])
const {exports: bundle, script} = createRequire(import.meta.url)('../bin/load-bundle.js').compileBundle(file, undefined)

const ping = (socketPath) =>
  new Promise((resolve) => {
    const req = request({path: '/_ping', socketPath, timeout: 200}, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on('error', () => resolve(0))
    req.on('timeout', () => req.destroy())
    req.end()
  })

const training = {
  'entry.bundle.cjs': async () => {
    await bundle.dispatchReexec(['-H', 'unix:///run/d.sock'], 'node', {})
    bundle.fastStartEligible(['-H', 'unix:///run/d.sock'])
    bundle.fastHelpEligible(['--help'])
    bundle.versionLine()
  },
  'help-fast.bundle.cjs': async () => {
    bundle.fastHelp()
  },
  'fast-start.bundle.cjs': async () => {
    const t = mkdtempSync(join(tmpdir(), 'dockerd-code-cache-'))
    const sock = join(t, 'd.sock')
    const engine = join(t, 'engine.sock')
    await new Promise((resolve) =>
      createServer((s) => {
        s.on('error', () => {})
        s.on('data', () => s.write('HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nOstype: linux\r\nServer: Docker/20.10.24 (linux)\r\nContent-Length: 0\r\n\r\n'))
      })
        .listen(engine, resolve)
        .unref(),
    )
    writeFileSync(join(t, 'daemon.json'), '{}')
    Object.assign(process.env, {DOCKERD_ROOTLESS: '1', HOME: t, XDG_RUNTIME_DIR: join(t, 'run')})
    const args = ['--data-root', join(t, 'data'), '--exec-root', join(t, 'exec'), '--pidfile', join(t, 'docker.pid'), '-H', `unix://${sock}`, '--config-file', join(t, 'daemon.json')]
    const code = bundle.fastStart([...args, '--engine-host', `unix://${engine}`])
    let ok = false
    const deadline = Date.now() + 20_000
    const exited = code.then(() => true)
    while (!ok && Date.now() < deadline && !(await Promise.race([exited, new Promise((r) => setTimeout(() => r(false), 5))]))) ok = (await ping(sock)) === 200
    if (!ok) process.stdout.write(`note: ${file}.cache: the training daemon did not answer /_ping; the cache holds less\n`)
    return () => {
      process.on('exit', () => rmSync(t, {force: true, recursive: true}))
      // The daemon's own shutdown (pidfile, socket), then its exit.
      process.kill(process.pid, 'SIGTERM')
    }
  },
}

const done = await training[basename(file)]?.()
writeFileSync(`${file}.cache`, script.createCachedData())
done?.()
