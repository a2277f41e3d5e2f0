import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {Logger, log, parseLevel} from '../../../src/log/logger.js'
import type {Level, LoggerOptions} from '../../../src/log/types.js'

const T = '2026-11-28T13:35:50.309898745Z'

function capture(options: Partial<LoggerOptions> = {}): {logger: Logger; lines: string[]} {
  const lines: string[] = []
  const logger = new Logger({level: 'info', format: 'text', color: false, now: () => T, write: l => lines.push(l), ...options})
  return {logger, lines}
}

const ALL: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic']

describe('Logger', () => {
  it('writes one text line with a newline', () => {
    const {logger, lines} = capture()
    logger.info('API listen on /var/run/docker.sock', {key: 'value'})
    assert.deepEqual(lines, [`time="${T}" level=info msg="API listen on /var/run/docker.sock" key=value\n`])
  })

  const filtering: Array<[Level, Level[]]> = [
    ['panic', ['panic']],
    ['fatal', ['fatal', 'panic']],
    ['error', ['error', 'fatal', 'panic']],
    ['warn', ['warn', 'error', 'fatal', 'panic']],
    ['info', ['info', 'warn', 'error', 'fatal', 'panic']],
    ['debug', ['debug', 'info', 'warn', 'error', 'fatal', 'panic']],
    ['trace', ALL],
  ]
  for (const [threshold, shown] of filtering) {
    it(`at level ${threshold} emits ${shown.join(',')}`, () => {
      const {logger, lines} = capture({level: threshold})
      for (const l of ALL) logger[l](l)
      assert.deepEqual(lines.map(s => /level=(\w+)/.exec(s)![1]), shown.map(l => (l === 'warn' ? 'warning' : l)))
      for (const l of ALL) assert.equal(logger.isLevelEnabled(l), shown.includes(l) || l === 'panic')
    })
  }

  it('suppresses debug at info without calling the clock', () => {
    let calls = 0
    const {logger, lines} = capture({now: () => String(++calls)})
    logger.debug('hidden', {x: 1})
    assert.deepEqual(lines, [])
    assert.equal(calls, 0)
  })

  it('fatal and panic log and return', () => {
    const {logger, lines} = capture()
    logger.fatal('f')
    logger.panic('p')
    assert.equal(lines.length, 2)
  })

  it('reconfigures the level at run time, children follow', () => {
    const {logger, lines} = capture()
    const child = logger.withFields({module: 'x'})
    child.debug('one')
    logger.configure({level: 'debug'})
    assert.equal(logger.level, 'debug')
    child.debug('two')
    assert.deepEqual(lines, [`time="${T}" level=debug msg=two module=x\n`])
  })

  it('withFields merges, call fields win, parent untouched', () => {
    const {logger, lines} = capture()
    const a = logger.withFields({a: 1, b: 1})
    const b = a.withFields({b: 2})
    b.info('m', {c: 3})
    a.info('m')
    logger.info('m')
    assert.deepEqual(lines, [
      `time="${T}" level=info msg=m a=1 b=2 c=3\n`,
      `time="${T}" level=info msg=m a=1 b=1\n`,
      `time="${T}" level=info msg=m\n`,
    ])
  })

  it('switches to JSON', () => {
    const {logger, lines} = capture()
    logger.configure({format: 'json'})
    logger.warn('x', {b: 1, a: 'z'})
    assert.deepEqual(lines, [`{"a":"z","b":1,"level":"warning","msg":"x","time":"${T}"}\n`])
  })

  it('colours only with color and not rawLogs and never JSON', () => {
    const {logger, lines} = capture({color: true})
    logger.info('m')
    logger.configure({rawLogs: true})
    logger.info('m')
    logger.configure({rawLogs: false, format: 'json'})
    logger.info('m')
    assert.ok(lines[0].startsWith('\u001B[36mINFO\u001B[0m['), lines[0])
    assert.equal(lines[1], `time="${T}" level=info msg=m\n`)
    assert.equal(lines[2], `{"level":"info","msg":"m","time":"${T}"}\n`)
  })

  it('write() bypasses the level filter', () => {
    const {logger, lines} = capture({level: 'error'})
    logger.write('debug', 'forced')
    assert.deepEqual(lines, [`time="${T}" level=debug msg=forced\n`])
  })

  it('rejects an unknown level at run time', () => {
    const {logger} = capture()
    assert.throws(() => logger.configure({level: 'loud' as Level}), {message: 'unable to parse logging level: loud'})
    assert.equal(logger.level, 'info')
  })

  it('exports a process-wide logger at info', () => {
    assert.ok(log instanceof Logger)
    assert.equal(log.level, 'info')
  })
})

describe('parseLevel', () => {
  const ok: Array<[string, Level]> = [
    ['panic', 'panic'],
    ['fatal', 'fatal'],
    ['error', 'error'],
    ['warn', 'warn'],
    ['warning', 'warn'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['trace', 'trace'],
    ['DEBUG', 'debug'],
    ['Warning', 'warn'],
  ]
  for (const [input, want] of ok) {
    it(`accepts ${input}`, () => assert.equal(parseLevel(input), want))
  }

  for (const bad of ['', 'verbose', 'information', ' info', 'constructor', '__proto__']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseLevel(bad), {message: `unable to parse logging level: ${bad}`})
    })
  }
})
