// Go standard-library behaviour that dockerd's messages and value formats depend on, one module
// per Go package, each behaviour written once. Exported for plugins, whose errors should read
// like dockerd's own.
export * from './csv.js'
export * from './fmt.js'
export * from './json.js'
export * from './net.js'
export * from './netip.js'
export * from './strconv.js'
export * from './time.js'
export * from './url.js'
