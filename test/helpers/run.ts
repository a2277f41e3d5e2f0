import {spawn, spawnSync, type SpawnSyncReturns} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface RunResult {
  status: null | number
  stderr: string
  stdout: string
}

/** A temp dir per test, removed by the returned function. */
export function tempDir(prefix = 'dockerd-e2e-'): {dir: string; done(): void; list(): string[]} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, done: () => rmSync(dir, {force: true, recursive: true}), list: () => readdirSync(dir).sort()}
}

/**
 * Runs the built binary as a user would, with HOME and XDG dirs inside `home` so defaults never
 * touch the real system. Bounded in time.
 */
export function run(args: string[], opts: {env?: NodeJS.ProcessEnv; home: string; timeout?: number}): RunResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: isolatedEnv(opts.home, opts.env),
    timeout: opts.timeout ?? 20_000,
  })
  return {status: r.status, stderr: r.stderr, stdout: r.stdout}
}

export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    DOCKERD_ROOTLESS: '1',
    HOME: home,
    PATH: process.env.PATH,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    ...extra,
  }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

export {spawn}
