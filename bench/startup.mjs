// Start-up benchmark: wall time from spawn to exit of dockerd --version, --help (fast path and
// oclif's), a reexec child round trip and, when built (npm run dist), the single executable's
// --version; each as a ratio to a bare `node -e 0` run in the same round. Rounds are interleaved
// (every case once per round, the order rotated each round) so machine-wide drift cancels out;
// each figure is reported as the median with its IQR and min–max over the rounds. When `perf` is
// installed, each round also runs every case under `perf stat -e task-clock`: the CPU time of the
// child (all its threads), which a busy machine disturbs far less than wall time.
// Usage: node bench/startup.mjs [rounds=30]    (BENCH_SEA_ONLY=1: the single executable case alone)
// BENCH_COMPARE=<dir of another built checkout> adds its --version and --help to the same rounds
// (before/after figures from one run).
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {fmt, median, rotate} from './stats.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const sea = join(root, 'dist', 'sea', 'dockerd-linux-x64')
const rounds = Number(process.argv[2] ?? 30)
const home = mkdtempSync(join(tmpdir(), 'dockerd-bench-'))
const env = {...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd')}
const empty = join(home, 'empty.mjs')
writeFileSync(empty, '')
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

const perf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', 'true'], {stdio: 'ignore'}).status === 0

/** CPU ms (task-clock) of one run of [cmd, ...args] under perf stat. */
function cpu([cmd, args, extra = {}]) {
  return new Promise((resolve, reject) => {
    const child = spawn('perf', ['stat', '-x,', '-e', 'task-clock', '--', cmd, ...args], {env: {...env, ...extra}, stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = err.split('\n').find((l) => l.includes(',task-clock'))
      if (code === 0 && line) resolve(Number(line.split(',')[0]))
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err}`))
    })
  })
}

const node = (args, extra = {}) => {
  const run = () => spawn(process.execPath, args, {env: {...env, ...extra}, stdio: 'ignore'})
  run.argv = [process.execPath, args, extra]
  return run
}
const baseline = {name: 'node -e 0', run: node(['-e', '0'])}
const cases = [
  {name: 'node empty.mjs (an ESM entry, for reference)', run: node([empty])},
  {name: 'dockerd --version', run: node([bin, '--version']), target: 1.05},
  {name: 'dockerd --help', run: node([bin, '--help']), target: 1.5},
  {name: 'dockerd --help, DOCKERD_OCLIF=1 (oclif renders it)', run: node([bin, '--help'], {DOCKERD_OCLIF: '1'})},
  {name: 'reexec child round trip (command())', run: () => command('dockerd-selftest', ['0'], {env, stdio: 'ignore'})},
]
const other = process.env.BENCH_COMPARE
if (other) {
  const ob = join(other, 'bin', 'run.js')
  cases.push({name: `${other}: dockerd --version`, run: node([ob, '--version'])}, {name: `${other}: dockerd --help`, run: node([ob, '--help'])})
}

// BENCH_SEA_ONLY=1: the single executable against `node -e 0` alone (more rounds in the same time).
if (process.env.BENCH_SEA_ONLY) cases.length = 0
if (existsSync(sea)) {
  const run = () => spawn(sea, ['--version'], {env, stdio: 'ignore'})
  run.argv = [sea, ['--version']]
  cases.push({name: 'single executable --version', run, target: 1.1})
}

const all = [baseline, ...cases]
const ms = new Map(all.map((c) => [c, []]))
const cpuMs = new Map(all.map((c) => [c, []]))
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const loadBefore = loadavg()
for (let i = 0; i < 3; i++) for (const c of all) await time(c.run) // warm the page cache
for (let r = 0; r < rounds; r++) {
  for (const c of rotate(all, r)) ms.get(c).push(await time(c.run))
  if (perf) for (const c of rotate(all, r)) if (c.run.argv) cpuMs.get(c).push(await cpu(c.run.argv))
}

rmSync(home, {force: true, recursive: true})
const base = ms.get(baseline)
console.log(`node ${process.version}; ${rounds} interleaved rounds after 3 warm-ups; load average ${loadBefore} before, ${loadavg()} after`)
console.log('ratio = per-round ratio to `node -e 0` of the same round; each cell: median (IQR, min–max)\n')
console.log(`| case | wall ms | wall ratio |${perf ? ' CPU ms (task-clock) | CPU ratio |' : ''} target |`)
console.log(`| --- | --- | --- |${perf ? ' --- | --- |' : ''} --- |`)
let failed = false
for (const c of all) {
  const ratios = ms.get(c).map((x, i) => x / base[i])
  const cpuRatios = cpuMs.get(c).map((x, i) => x / cpuMs.get(baseline)[i])
  failed ||= c.target !== undefined && median(ratios) > c.target
  const cpuCells = !perf ? '' : c.run.argv ? ` ${fmt(cpuMs.get(c))} | ${fmt(cpuRatios, 2, '×')} |` : ' | |'
  console.log(`| ${c.name} | ${fmt(ms.get(c))} | ${fmt(ratios, 2, '×')} |${cpuCells} ${c.target ? `≤ ${c.target}×` : ''} |`)
}

process.exitCode = failed && process.env.BENCH_STRICT ? 1 : 0
