import {noIPv4Forwarding, plainHostFacts} from '../host-facts.js'
import {UNIX_LOG_DRIVERS, unixBase} from '../unix/index.js'
import type {Platform} from '../types.js'

export const freebsd: Platform = {
  ...unixBase,
  goos: 'freebsd',
  ipv4Forwarding: noIPv4Forwarding,
  linuxKernel: false,
  logDrivers: UNIX_LOG_DRIVERS,
  name: 'freebsd',
  networkDrivers: ['bridge', 'host', 'null'],
  readHostFacts: () => plainHostFacts('FreeBSD'),
  title: 'FreeBSD',
}
