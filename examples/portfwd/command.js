// What package.json's `oclif` section loads: the command (help, manifest) and the help class.
import {daemonCommand, daemonHelp} from 'dockerd-ts/framework/oclif'

import {portfwd} from './daemon.js'

export default daemonCommand(portfwd)
export const Help = daemonHelp(portfwd)
