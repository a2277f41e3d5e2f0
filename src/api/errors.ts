// Error classes of the API, mapped to HTTP status like moby's errdefs/httpstatus:
// a handler throws one of these and the router writes `{"message": ...}` with its status.

export class ApiError extends Error {
  readonly statusCode: number

  constructor(statusCode: number, message: string) {
    super(message)
    this.name = 'ApiError'
    this.statusCode = statusCode
  }
}

/** errdefs.InvalidParameter → 400. */
export const invalidParameter = (message: string): ApiError => new ApiError(400, message)
/** errdefs.NotFound → 404. */
export const notFound = (message: string): ApiError => new ApiError(404, message)
/** errdefs.Conflict → 409. */
export const conflict = (message: string): ApiError => new ApiError(409, message)
/** errdefs.Unavailable → 503. */
export const unavailable = (message: string): ApiError => new ApiError(503, message)
/** errdefs.NotImplemented → 501. */
export const notImplemented = (message: string): ApiError => new ApiError(501, message)

/** Status for any thrown value: ApiError / objects with a numeric statusCode keep theirs, the rest is 500. */
export function statusFromError(err: unknown): number {
  const code = (err as {statusCode?: unknown} | null)?.statusCode
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : 500
}

export function messageFromError(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
