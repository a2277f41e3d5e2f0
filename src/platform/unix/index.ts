// What every Unix target shares: listener kinds, default paths, the Unix log drivers.
import type {Platform} from '../types.js'
import {unixDefaultPaths} from './paths.js'

/** The `Platform` fields common to Linux, FreeBSD and macOS. */
export const unixBase = {
  defaultHTTPHost: 'localhost',
  defaultRuntime: 'runc',
  defaultShutdownTimeout: 10,
  execOptKeys: ['native.cgroupdriver'],
  firewallBackend: true,
  peerCredentials: false,
  procSelfExe: false,
  windowsExecutables: false,
  defaultPaths: unixDefaultPaths,
  listenerKinds: ['tcp', 'unix', 'fd'],
  manPage: false,
  rootlessDefaults: true,
  unix: true,
  unixPathMax: 104,
  unsupportedListener: (proto: string) => `invalid protocol format: ${JSON.stringify(proto)}`,
} as const satisfies Partial<Platform>

/** Log drivers of a Unix without journald. */
export const UNIX_LOG_DRIVERS = ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'json-file', 'local', 'splunk', 'syslog'] as const
