import {OptsError} from './errors.js'
import {formatGoFloat, parseGoFloat} from './go.js'

const KIB = 1024
const BINARY: Record<string, number> = {g: KIB ** 3, k: KIB, m: KIB ** 2, p: KIB ** 5, t: KIB ** 4}
const BINARY_ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
const MIN_INT64 = -9_223_372_036_854_775_808

/** Go's int64(float64) on amd64: truncation, and MinInt64 for NaN or out-of-range values. */
function toInt64(x: number): number {
  if (Number.isNaN(x) || x >= 2 ** 63 || x < -(2 ** 63)) return MIN_INT64
  return Math.trunc(x) + 0
}

/**
 * go-units RAMInBytes: a number (Go float syntax) with an optional case-insensitive binary suffix
 * `b`, `k`, `m`, `g`, `t`, `p` (optionally followed by `b` or `ib`), e.g. `64M`, `1g`, `128m`,
 * `1024`. Errors: `invalid size: '<s>'`, `invalid suffix: '<sfx>'`, strconv.ParseFloat's text.
 */
export function parseRAMInBytes(size: string): number {
  let sep = -1
  for (let i = size.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(size[i])) {
      sep = i
      break
    }
  }

  if (sep === -1) throw new OptsError(`invalid size: '${size}'`)
  const num = size[sep] === ' ' ? size.slice(0, sep) : size.slice(0, sep + 1)
  let sfx = size.slice(sep + 1)
  let value = parseGoFloat(num)
  if (value < 0) throw new OptsError(`invalid size: '${size}'`)
  if (sfx.length === 0) return toInt64(value)
  const badSuffix = () => new OptsError(`invalid suffix: '${sfx}'`)
  if (Buffer.byteLength(sfx, 'utf8') > 3) throw badSuffix()
  sfx = sfx.toLowerCase()
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw badSuffix()
    return toInt64(value)
  }

  const mul = Object.hasOwn(BINARY, sfx[0]) ? BINARY[sfx[0]] : undefined
  if (mul === undefined) throw badSuffix()
  value *= mul
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw badSuffix()
  return toInt64(value)
}

/** go-units BytesSize: `%.4g` of the size in the largest binary unit below it, e.g. `64MiB`. */
export function bytesSize(size: number): string {
  let i = 0
  while (size >= KIB && i < BINARY_ABBRS.length - 1) {
    size /= KIB
    i++
  }

  return formatGoFloat(size, 'g', 4) + BINARY_ABBRS[i]
}

/** moby's MemBytes.String (what --default-shm-size shows as its default): `0` for zero, else bytesSize. */
export function formatBytes(size: number): string {
  return size === 0 ? '0' : bytesSize(size)
}
