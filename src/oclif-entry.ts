// What oclif loads by path for hooks and help, from one module: package.json's `oclif` section
// points at lib/oclif.bundle.js by export name. The build bundles it together with the command
// (src/commands/dockerd.ts → lib/command.bundle.js) with code splitting: few modules to load for
// --help instead of ~40 (the ESM loader's per-module cost dominates it), the command (and
// @oclif/core/command, which --help never needs) and the daemon's code loaded only when a start
// gets that far, and every module (the plugin registry the hooks fill, the command and the daemon
// read) evaluated once.
import {dockerd} from './dockerd.js'
import {daemonHelp} from './framework/help.js'

export const Help = daemonHelp(dockerd)
export {default as pluginsHook} from './hooks/init/plugins.js'
export {default as pluginsRouteHook} from './hooks/init/plugins-route.js'
export {default as reexecHook} from './hooks/init/reexec.js'
