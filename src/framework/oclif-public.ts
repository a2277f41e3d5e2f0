// `dockerd-ts/framework/oclif`: a daemon's oclif command and help class (package.json
// `oclif.commands` and `oclif.helpClass` of the daemon's own package point at modules exporting them).
export {daemonHelp, helpFlags} from './help.js'
export {daemonCommand} from './oclif.js'
