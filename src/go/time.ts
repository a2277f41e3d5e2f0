// Go's time: Time.Format(time.RFC3339Nano).

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/**
 * Go's `t.Format(time.RFC3339Nano)` in local time: `2006-01-02T15:04:05.999999999Z07:00` (trailing
 * zeros of the fraction dropped, no dot when it is 0, `Z` for a zero offset).
 */
export function formatRFC3339Nano(epochMs: number, subMsNanos = 0): string {
  const ms = Math.floor(epochMs)
  const d = new Date(ms)
  const nanos = (((ms % 1000) + 1000) % 1000) * 1_000_000 + Math.max(0, Math.min(999_999, Math.floor(subMsNanos)))
  const frac = nanos === 0 ? '' : '.' + pad(nanos, 9).replace(/0+$/, '')
  const offMin = -d.getTimezoneOffset()
  const zone = offMin === 0 ? 'Z' : `${offMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offMin) / 60))}:${pad(Math.abs(offMin) % 60)}`
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${frac}${zone}`
  )
}
