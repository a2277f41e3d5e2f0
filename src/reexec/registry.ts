import type {InitializerLoader} from './types.js'

export type {Initializer, InitializerLoader} from './types.js'

// Process-global, like moby's reexec map. Keep this module free of imports: it is loaded on
// every start, before oclif.
const loaders = new Map<string, InitializerLoader>()

/** Register a lazily loaded entry point; a second registration of a name is a programming error. */
export function register(name: string, loader: InitializerLoader): void {
  if (loaders.has(name)) throw new Error(`reexec func already registered under name "${name}"`)
  loaders.set(name, loader)
}

export function registered(name: string): boolean {
  return loaders.has(name)
}

/** Registered names, sorted. */
export function names(): string[] {
  return [...loaders.keys()].sort()
}

/** The loader for a name, if registered. */
export function loaderOf(name: string): InitializerLoader | undefined {
  return loaders.get(name)
}
