// The host readings of /info that change while the daemon runs: open fds, forwarding, tasks, time.
import {readdirSync} from 'node:fs'
import os from 'node:os'

import {formatRFC3339Nano} from '../../go/time.js'
import {hostIPv4Forwarding} from '../../platform/platform.js'

/** How long the volatile host readings (open fds, ip_forward) are reused; /info is called per request. */
const VOLATILE_TTL_MS = 1000
let volatile: {at: number; fds: number; forwarding: boolean} | undefined

export function volatileFacts(): {fds: number; forwarding: boolean} {
  const now = Date.now()
  if (volatile === undefined || now - volatile.at >= VOLATILE_TTL_MS || now < volatile.at) {
    volatile = {at: now, fds: openFdCount(), forwarding: hostIPv4Forwarding()}
  }

  return volatile
}


/**
 * filedescriptors.GetTotalUsedFds: entries of /proc/self/fd (the directory's own fd included, as
 * in Go); /dev/fd elsewhere; 3 (stdio) when neither can be listed.
 */
export function openFdCount(): number {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      const n = readdirSync(dir).length
      if (n > 0) return n
    } catch {
      // next
    }
  }

  return 3
}

/**
 * Stand-in for runtime.NumGoroutine(): the main JavaScript thread plus every libuv resource
 * (handle, request, timer) currently keeping the event loop alive, i.e. the units of concurrent
 * work in flight. Never 0.
 */
export function activeTaskCount(): number {
  return 1 + process.getActiveResourcesInfo().length
}


/** time.Now().Format(time.RFC3339Nano): wall clock, with µs digits when the monotonic clock agrees. */
export function systemTime(): string {
  const wall = Date.now()
  const precise = performance.timeOrigin + performance.now()
  if (Math.abs(precise - wall) < 1) {
    const ms = Math.floor(precise)
    return formatRFC3339Nano(ms, Math.floor((precise - ms) * 1000) * 1000)
  }

  return formatRFC3339Nano(wall)
}


export function safeHostname(): string {
  try {
    return os.hostname()
  } catch {
    return ''
  }
}

