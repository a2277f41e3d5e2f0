import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {selftest} from '../../../src/reexec/selftest.js'

// selftest prints to stdout, which node:test uses for its protocol: capture around each call.
async function run(args: string[]): Promise<{code: number; out: string}> {
  const chunks: string[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array, cb?: (err?: Error | null) => void) => {
    chunks.push(String(chunk))
    cb?.()
    return true
  }) as typeof process.stdout.write
  try {
    return {code: await selftest(args), out: chunks.join('')}
  } finally {
    process.stdout.write = write
  }
}

describe('selftest', () => {
  const table: Array<[args: string[], code: number]> = [
    [[], 0],
    [['3', 'a b'], 3],
    [['0'], 0],
    [['x'], 0],
    [['3.5'], 0],
    [['', '4'], 0],
  ]
  for (const [args, code] of table) {
    it(`${JSON.stringify(args)} → ${code}`, async () => {
      const r = await run(args)
      assert.equal(r.code, code)
      assert.ok(r.out.endsWith('}\n'))
      assert.deepEqual(JSON.parse(r.out), {argv0: process.argv0, args, pid: process.pid})
    })
  }
})
