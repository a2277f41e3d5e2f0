import {unixBase} from '../unix/index.js'
import type {Platform} from '../types.js'
import {linuxHostFacts, linuxIPv4Forwarding} from './host-facts.js'

export const linux: Platform = {
  ...unixBase,
  goos: 'linux',
  ipv4Forwarding: linuxIPv4Forwarding,
  linuxKernel: true,
  manPage: true,
  logDrivers: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'splunk', 'syslog'],
  name: 'linux',
  peerCredentials: true,
  procSelfExe: true,
  networkDrivers: ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'],
  readHostFacts: linuxHostFacts,
  title: 'Linux',
  unixPathMax: 108,
}
