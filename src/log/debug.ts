import {createRequire} from 'node:module'
import {format} from 'node:util'

import type createDebug from 'debug'

import {log} from './logger.js'
import type {Tracer} from './types.js'

// DEBUG=dockerd:* developer tracing through `debug`, printed by the logrus logger.
// `debug` costs ~35 ms to load, so it is required only when DEBUG is set at all.

const PREFIX = 'dockerd:'
type Factory = createDebug.Debug
type Debugger = createDebug.Debugger

let factory: Factory | undefined

function loadDebug(): Factory {
  // debug is CommonJS: require() is synchronous and needs no top-level await.
  factory ??= createRequire(import.meta.url)('debug') as Factory
  return factory
}

// Output goes to our logger, per instance rather than via the global createDebug.log:
// @oclif/core shares the same `debug` module and its own lines must stay untouched.
function emit(this: Debugger, ...args: unknown[]): void {
  // With useColors off, debug prefixes "<ISO date> <namespace> "; the logger has both.
  let msg = format(...args)
  const at = msg.indexOf(this.namespace + ' ')
  if (at >= 0 && at <= 25) msg = msg.slice(at + this.namespace.length + 1)
  // The namespace is the gate (the user asked for it with DEBUG=), so bypass the level.
  log.write('debug', msg, {module: this.namespace})
}

function noop(namespace: string): Tracer {
  const fn = (() => {}) as unknown as Tracer
  Object.defineProperties(fn, {
    enabled: {value: false},
    namespace: {value: namespace},
    extend: {value: (sub: string) => noop(namespace + ':' + sub)},
  })
  return fn
}

/** A `debug` instance for `dockerd:<ns>`; a no-op (enabled=false) unless DEBUG is set. */
export function tracer(ns: string): Tracer {
  const namespace = PREFIX + ns
  if (!process.env.DEBUG) return noop(namespace)
  const d = loadDebug()(namespace) as Debugger & {useColors: boolean}
  d.useColors = false
  d.log = emit
  // debug's own extend() re-detects colours; build children through tracer() instead.
  d.extend = ((sub: string) => tracer(ns + ':' + sub)) as unknown as Debugger['extend']
  return d as unknown as Tracer
}
