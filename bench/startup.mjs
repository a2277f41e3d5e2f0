// Start-up benchmark: dockerd --version, --help and a reexec child round trip, each as a ratio to a
// bare `node -e 0` measured in the same run, pairwise interleaved (A, B, A, B, ...). Reports the
// median of per-pair ratios, so machine-wide drift cancels out. Usage: node bench/startup.mjs [runs]
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const runs = Number(process.argv[2] ?? 20)
const home = mkdtempSync(join(tmpdir(), 'dockerd-bench-'))
const env = {...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd')}
const {command} = await import(join(root, 'lib', 'reexec', 'index.js'))

/** Wall time of one child from spawn to exit, in ms. */
function time(start) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = start()
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`exit ${code}`))))
  })
}

const node = (args) => () => spawn(process.execPath, args, {env, stdio: 'ignore'})
const cases = [
  {a: node([bin, '--version']), b: node(['-e', '0']), name: 'dockerd --version', target: 1.3, vs: 'node -e 0'},
  {a: node([bin, '--help']), b: node(['-e', '0']), name: 'dockerd --help', target: 2.5, vs: 'node -e 0'},
  {
    a: () => command('dockerd-selftest', ['0'], {env, stdio: 'ignore'}),
    b: node(['-e', '0']),
    name: 'reexec child round trip',
    target: 1.3,
    vs: 'spawning node -e 0',
  },
]

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

console.log(`node ${process.version}, ${runs} paired runs after 2 warm-ups each\n`)
console.log('| case | median ms | baseline | baseline ms | ratio (median of pairs) | target |')
console.log('| --- | --- | --- | --- | --- | --- |')
let failed = false
for (const c of cases) {
  for (let i = 0; i < 2; i++) await Promise.all([time(c.a), time(c.b)].map((p) => p.catch((e) => e)))
  const as = []
  const bs = []
  const ratios = []
  for (let i = 0; i < runs; i++) {
    // Alternate which side goes first so neither always runs on a warmer cache.
    let a
    let b
    if (i % 2 === 0) {
      a = await time(c.a)
      b = await time(c.b)
    } else {
      b = await time(c.b)
      a = await time(c.a)
    }

    as.push(a)
    bs.push(b)
    ratios.push(a / b)
  }

  const ratio = median(ratios)
  failed ||= ratio > c.target
  console.log(`| ${c.name} | ${median(as).toFixed(1)} | ${c.vs} | ${median(bs).toFixed(1)} | ${ratio.toFixed(2)}x | <= ${c.target}x |`)
}

rmSync(home, {force: true, recursive: true})
process.exitCode = failed && process.env.BENCH_STRICT ? 1 : 0
