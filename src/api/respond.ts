// Response writers that reproduce Go's encoding/json and net/http output byte for byte
// where clients could notice: trailing newline, escaping, content types.
import type {ServerResponse} from 'node:http'

import {goJSONMarshal} from '../go/json.js'
import {versionLessThan} from './versions.js'

/** JSON text as Go's json.Encoder writes it (without the newline); HTML escaping off by default. */
export const goJson = (value: unknown, escapeHTML = false): string => goJSONMarshal(value, escapeHTML)

/** moby httputils.WriteJSON: `application/json`, HTML escaping off, body ends with `\n`. */
export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json')
  endWith(res, goJson(value) + '\n')
}

// Node adds Content-Length itself (after Date, as Go does) unless a handler already set
// one, which would then be stale.
function endWith(res: ServerResponse, body: string): void {
  if (res.hasHeader('Content-Length')) res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
}

/**
 * The error body moby writes: `{"message":"…"}\n` as `application/json`, except for URL
 * versions below 1.24, which get Go's http.Error plain text so that ancient clients print
 * something readable.
 */
export function writeError(res: ServerResponse, status: number, message: string, urlVersion?: string): void {
  res.statusCode = status
  if (urlVersion && versionLessThan(urlVersion, '1.24')) {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8')
    res.setHeader('X-Content-Type-Options', 'nosniff')
    endWith(res, message + '\n')
    return
  }
  writeJson(res, status, {message})
}
