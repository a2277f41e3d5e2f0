import type {AddressPool, NriOpts, Ulimit} from '../opts/maps.js'
import type {linuxFlags} from '../platform/linux/flags.js'
import type {unixFlags} from '../platform/unix/flags.js'
import type {windowsFlags} from '../platform/windows/flags.js'
import type {commonFlags, daemonFlags} from './common.js'

/** The configuration value of each built-in kind, as the loader produces it. */
export interface KindValues {
  bool: boolean
  bytes: number
  features: Record<string, boolean>
  int: number
  ip: string
  list: string[]
  map: Record<string, string>
  mapmap: Record<string, Record<string, string>>
  'nri-opts': NriOpts
  object: Record<string, unknown>
  pools: AddressPool[]
  runtimes: Record<string, {options?: Record<string, unknown>; path?: string; runtimeArgs?: string[]; runtimeType?: string}>
  string: string
  ulimits: Record<string, Ulimit>
}

type OptionOf<S> = S extends {readonly options: readonly (infer O)[]} ? O : never
type KindValue<O> = O extends {kind: infer K extends keyof KindValues} ? KindValues[K] : unknown
/** An option with a default always has a value; one without is unset unless given. */
type EffectiveValue<O> = O extends {default: unknown} ? KindValue<O> : KindValue<O> | undefined

/** Option name → value type, derived from a flag set declared `as const satisfies FlagSet`. */
export type ValuesOf<S> = {[O in OptionOf<S> as O extends {name: infer N extends string} ? N : never]: EffectiveValue<O>}

/** The options of every OS: always present in the merged values. */
export type CoreValues = ValuesOf<typeof commonFlags> & ValuesOf<typeof daemonFlags>

/** The options of one OS only: absent on the others. */
export type PlatformValues = Partial<ValuesOf<typeof linuxFlags> & ValuesOf<typeof unixFlags> & ValuesOf<typeof windowsFlags>>

/**
 * The merged configuration, typed from the option table: `values['data-root']` is a string,
 * `values.debug` a boolean (or unset). Plugin options stay reachable by name as `unknown`.
 */
export type ConfigValues = Readonly<CoreValues & PlatformValues> & Readonly<Record<string, unknown>>
