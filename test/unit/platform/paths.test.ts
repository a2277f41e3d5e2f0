import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {type DefaultPaths, defaultPaths, isRootless} from '../../../src/platform/paths.js'
import type {TargetPlatform} from '../../../src/platform/target.js'

describe('defaultPaths', () => {
  const none = (): boolean => false
  const table: Array<{
    name: string
    platform: string
    uid: number
    env: Record<string, string>
    exists?: (p: string) => boolean
    want: Partial<DefaultPaths>
  }> = [
    {
      name: 'linux root',
      platform: 'linux',
      uid: 0,
      env: {HOME: '/root', XDG_RUNTIME_DIR: '/run/user/0'},
      want: {
        host: 'unix:///var/run/docker.sock',
        socket: '/var/run/docker.sock',
        dataRoot: '/var/lib/docker',
        execRoot: '/var/run/docker',
        pidfile: '/var/run/docker.pid',
        configFile: '/etc/docker/daemon.json',
              },
    },
    {
      name: 'freebsd root',
      platform: 'freebsd',
      uid: 0,
      env: {},
      want: {socket: '/var/run/docker.sock', dataRoot: '/var/lib/docker', configFile: '/etc/docker/daemon.json'},
    },
    {
      name: 'linux user with XDG everything',
      platform: 'linux',
      uid: 1000,
      env: {
        HOME: '/home/u',
        XDG_RUNTIME_DIR: '/run/user/1000',
        XDG_DATA_HOME: '/data',
        XDG_CONFIG_HOME: '/cfg',
      },
      want: {
        host: 'unix:///run/user/1000/docker.sock',
        socket: '/run/user/1000/docker.sock',
        dataRoot: '/data/docker',
        execRoot: '/run/user/1000/docker',
        pidfile: '/run/user/1000/docker.pid',
        configFile: '/cfg/docker/daemon.json',
              },
    },
    {
      name: 'linux user, no XDG, /run/user/<uid> exists',
      platform: 'linux',
      uid: 1000,
      env: {HOME: '/home/u'},
      exists: (p) => p === '/run/user/1000',
      want: {
        socket: '/run/user/1000/docker.sock',
        dataRoot: '/home/u/.local/share/docker',
        execRoot: '/run/user/1000/docker',
        pidfile: '/run/user/1000/docker.pid',
        configFile: '/home/u/.config/docker/daemon.json',
      },
    },
    {
      name: 'linux user, no XDG, no /run/user',
      platform: 'linux',
      uid: 1001,
      env: {HOME: '/home/v'},
      exists: none,
      want: {
        socket: '/home/v/.docker/run/docker.sock',
        execRoot: '/home/v/.docker/run/docker',
        pidfile: '/home/v/.docker/run/docker.pid',
      },
    },
    {
      name: 'root under RootlessKit',
      platform: 'linux',
      uid: 0,
      env: {HOME: '/home/u', ROOTLESSKIT_STATE_DIR: '/tmp/rk', XDG_RUNTIME_DIR: '/run/user/1000'},
      want: {socket: '/run/user/1000/docker.sock', dataRoot: '/home/u/.local/share/docker'},
    },
    {
      name: 'windows',
      platform: 'win32',
      uid: -1,
      env: {ProgramData: 'D:\\PD'},
      want: {
        host: 'npipe:////./pipe/docker_engine',
        socket: '//./pipe/docker_engine',
        dataRoot: 'D:\\PD\\docker',
        execRoot: 'D:\\PD\\docker\\exec-root',
        pidfile: 'D:\\PD\\docker\\docker.pid',
        configFile: 'D:\\PD\\docker\\config\\daemon.json',
              },
    },
    {
      name: 'windows without ProgramData',
      platform: 'win32',
      uid: -1,
      env: {},
      want: {dataRoot: 'C:\\ProgramData\\docker'},
    },
  ]

  for (const row of table) {
    it(row.name, () => {
      const platform = row.platform as TargetPlatform
      const got = defaultPaths({env: row.env, platform, uid: row.uid, rootless: platform !== 'win32' && isRootless({...row.env, DOCKERD_ROOTLESS: undefined}, row.uid)}, row.exists ?? none)
      for (const [k, v] of Object.entries(row.want)) assert.equal(got[k as keyof typeof got], v, k)
    })
  }

})
