// `dockerd-ts/framework`: what a daemon command is assembled from (docs/build-your-own-daemon.md).
// dockerd itself is one (src/dockerd.ts). No @oclif/core here: that is `dockerd-ts/framework/oclif`.
export {runDaemonCli, type CliOptions} from './cli.js'
export {defineDaemon, type DaemonDefinition, type FlagValues, type StartContext} from './define.js'
export {optionsMarkdown} from './docs.js'
export {HELP, positionalError, runPipeline} from '../pipeline.js'
export type {TargetPlatform} from '../platform/target.js'
export {targetPlatform} from '../platform/target.js'
