import os from 'node:os'

import {noIPv4Forwarding, plainHostFacts} from '../host-facts.js'
import type {Platform} from '../types.js'
import {windowsDefaultPaths} from './paths.js'

export const windows: Platform = {
  defaultHTTPHost: '127.0.0.1',
  defaultRuntime: '',
  defaultShutdownTimeout: 30,
  execOptKeys: ['isolation'],
  firewallBackend: false,
  peerCredentials: false,
  procSelfExe: false,
  windowsExecutables: true,
  defaultPaths: windowsDefaultPaths,
  goos: 'windows',
  ipv4Forwarding: noIPv4Forwarding,
  linuxKernel: false,
  listenerKinds: ['tcp', 'npipe'],
  manPage: false,
  logDrivers: ['awslogs', 'etwlogs', 'fluentd', 'gcplogs', 'gelf', 'json-file', 'local', 'splunk', 'syslog'],
  name: 'win32',
  networkDrivers: ['ics', 'internal', 'l2bridge', 'l2tunnel', 'nat', 'null', 'overlay', 'private', 'transparent'],
  readHostFacts: () => plainHostFacts(os.version() || 'Microsoft Windows', os.release()),
  rootlessDefaults: false,
  title: 'Windows',
  unix: false,
  unixPathMax: 104,
  // unix:// and fd:// are dockerd's own on Windows too, but this daemon serves neither there.
  unsupportedListener: (proto) =>
    proto === 'unix' ? 'unix sockets are not supported on Windows by this daemon' : 'invalid protocol format: windows only supports tcp, unix and npipe',
}
