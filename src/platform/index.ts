import {commonFlags, daemonFlags} from '../options/common.js'
import type {FlagSet} from '../options/types.js'
import {linuxFlags} from './linux/flags.js'
import type {TargetPlatform} from './target.js'
import {unixFlags} from './unix/flags.js'
import {windowsFlags} from './windows/flags.js'

export {targetPlatform} from './target.js'
export type {TargetPlatform} from './target.js'
export {currentPlatform, hostFacts, platformOf} from './platform.js'
export type {DefaultPaths, HostFacts, ListenerKind, Platform} from './types.js'

/** Built-in flag sets, in help order. Platform sets are chosen by the target OS. */
export const BUILTIN_FLAG_SETS: readonly FlagSet[] = [commonFlags, daemonFlags, unixFlags, linuxFlags, windowsFlags]

export function flagSetsFor(platform: TargetPlatform, sets: readonly FlagSet[] = BUILTIN_FLAG_SETS): FlagSet[] {
  return sets.filter((s) => !s.platforms || s.platforms.includes(platform))
}
