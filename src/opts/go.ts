// The Go behaviours dockerd's parsers use, kept importable from here; they live in src/go, one
// module per Go package.
export * from '../go/csv.js'
export * from '../go/fmt.js'
export * from '../go/net.js'
export * from '../go/netip.js'
export * from '../go/strconv.js'
export * from '../go/url.js'
