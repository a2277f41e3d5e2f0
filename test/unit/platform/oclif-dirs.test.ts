import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {Config} from '@oclif/core/config'

import {OCLIF_BIN, OCLIF_DIRNAME, oclifDataDir, oclifScopedEnvVarKey} from '../../../src/platform/oclif-dirs.js'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

// [platform, env, os.homedir(), want]: oclif 4's Config.load rules (scopedEnvVar('DATA_DIR') ||
// dir('data'), home from HOME, then Windows' HOMEDRIVE+HOMEPATH or USERPROFILE, then homedir).
const CASES: Array<[NodeJS.Platform, NodeJS.ProcessEnv, string, string]> = [
  ['linux', {HOME: '/home/u'}, '/x', '/home/u/.local/share/dockerd'],
  ['linux', {HOME: '/home/u', XDG_DATA_HOME: '/xdg'}, '/x', '/xdg/dockerd'],
  ['linux', {HOME: '/home/u', XDG_DATA_HOME: '/xdg', DOCKERD_DATA_DIR: '/d'}, '/x', '/d'],
  ['linux', {HOME: '/home/u', LOCALAPPDATA: '/local'}, '/x', '/home/u/.local/share/dockerd'],
  ['linux', {HOME: '', XDG_DATA_HOME: '', DOCKERD_DATA_DIR: ''}, '/root', '/root/.local/share/dockerd'],
  ['linux', {USERPROFILE: '/profile'}, '', join(tmpdir(), '.local/share/dockerd')],
  ['darwin', {HOME: '/Users/u'}, '/x', '/Users/u/.local/share/dockerd'],
  ['freebsd', {}, '/home/f', '/home/f/.local/share/dockerd'],
  // Windows: LOCALAPPDATA, which the hand-written copy ignored (installed plugins never loaded).
  ['win32', {LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local', USERPROFILE: 'C:\\Users\\u'}, 'C:\\x', 'C:\\Users\\u\\AppData\\Local\\dockerd'],
  ['win32', {HOME: 'C:\\home', LOCALAPPDATA: 'L:\\'}, 'C:\\x', 'L:\\dockerd'],
  ['win32', {XDG_DATA_HOME: 'D:\\xdg', LOCALAPPDATA: 'L:\\'}, 'C:\\x', 'D:\\xdg\\dockerd'],
  ['win32', {DOCKERD_DATA_DIR: 'E:\\plugins', LOCALAPPDATA: 'L:\\'}, 'C:\\x', 'E:\\plugins'],
  ['win32', {HOMEDRIVE: 'C:', HOMEPATH: '\\Users\\u', USERPROFILE: 'C:\\Users\\p'}, 'C:\\x', 'C:\\Users\\u\\.local\\share\\dockerd'],
  ['win32', {HOMEDRIVE: 'C:', USERPROFILE: 'C:\\Users\\p'}, 'C:\\x', 'C:\\Users\\p\\.local\\share\\dockerd'],
  ['win32', {}, 'C:\\Users\\h', 'C:\\Users\\h\\.local\\share\\dockerd'],
]

describe('platform/oclif-dirs', () => {
  it("oclif's data directory across OSes", () => {
    for (const [platform, env, home, want] of CASES) {
      assert.equal(oclifDataDir({env, homedir: () => home, platform}), want, `${platform} ${JSON.stringify(env)}`)
    }
  })

  it("oclif's scoped environment variable names", () => {
    assert.equal(oclifScopedEnvVarKey('dockerd', 'DATA_DIR'), 'DOCKERD_DATA_DIR')
    assert.equal(oclifScopedEnvVarKey('my-cli', 'DATA_DIR'), 'MY_CLI_DATA_DIR')
    assert.equal(oclifScopedEnvVarKey('@scope/x', 'DATA_DIR'), 'SCOPE_X_DATA_DIR')
    assert.equal(oclifDataDir({bin: 'my-cli', env: {MY_CLI_DATA_DIR: '/m', DOCKERD_DATA_DIR: '/d'}, platform: 'linux'}), '/m')
  })

  it("bin and dirname are package.json's", () => {
    const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif: {bin: string; binAliases?: string[]; dirname: string}}
    assert.equal(OCLIF_BIN, pjson.oclif.bin)
    assert.equal(OCLIF_DIRNAME, pjson.oclif.dirname)
    assert.equal(pjson.oclif.binAliases, undefined, 'bin aliases would add DATA_DIR variables')
  })

  it('matches what oclif itself computes on this host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockerd-oclif-dirs-'))
    const keys = ['DOCKERD_DATA_DIR', 'XDG_DATA_HOME', 'HOME', 'LOCALAPPDATA'] as const
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]))
    const variants: Array<Partial<Record<(typeof keys)[number], string>>> = [
      {HOME: join(dir, 'home')},
      {HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'xdg')},
      {HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'xdg'), DOCKERD_DATA_DIR: join(dir, 'data')},
      {HOME: join(dir, 'home'), LOCALAPPDATA: join(dir, 'local')},
    ]
    try {
      for (const variant of variants) {
        for (const k of keys) delete process.env[k]
        Object.assign(process.env, variant)
        const config = await Config.load(ROOT)
        assert.equal(oclifDataDir(), config.dataDir, JSON.stringify(variant))
      }
    } finally {
      for (const k of keys) {
        if (saved[k] === undefined) delete process.env[k]
        else process.env[k] = saved[k]
      }

      rmSync(dir, {force: true, recursive: true})
    }
  })
})
