import {daemonCommand} from '../framework/oclif.js'
import {dockerd} from '../dockerd.js'

// dockerd's oclif command: bundled with lib/oclif.bundle.js's hooks and help (same module state)
// into lib/command.bundle.js, package.json's `oclif.commands` target.
export default daemonCommand(dockerd)
