// What oclif loads by path before a command runs (hooks, help), from one module. The build bundles
// this file with esbuild into lib/oclif.bundle.js, which package.json's `oclif` section points at
// by export name: one module to load instead of ~40 (the ESM loader's per-module cost dominates
// --help). The command stays a module of its own so its daemon imports never load for --help;
// state shared with it (plugins, contributed flag sets) lives on globalThis, not in module scope.
export {default as Help} from './help.js'
export {default as pluginsHook} from './hooks/init/plugins.js'
export {default as pluginsRouteHook} from './hooks/init/plugins-route.js'
export {default as reexecHook} from './hooks/init/reexec.js'
export {default as preparseHook} from './hooks/preparse/go-argv.js'
