import {freebsd} from '../freebsd/index.js'
import {plainHostFacts} from '../host-facts.js'
import type {Platform} from '../types.js'

/** macOS: a Unix with FreeBSD's drivers (moby builds no daemon for it; flags and docs treat it as a Unix). */
export const darwin: Platform = {
  ...freebsd,
  goos: 'darwin',
  name: 'darwin',
  readHostFacts: () => plainHostFacts('Darwin'),
  title: 'macOS',
}
