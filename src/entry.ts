// What bin/run.js needs before it picks a path (reexec child, --version, fast --help, fast start,
// oclif), as one module: the build bundles it into lib/entry.bundle.cjs (CommonJS, compiled with a
// V8 code cache by bin/load-bundle.js), because each module costs a resolve, a read and a compile
// on every start. Node builtins only.
import './reexec/builtin.js'

export {dispatchReexec} from './reexec/dispatch.js'
export {fastHelpEligible, fastStartEligible} from './launch.js'
export {versionLine} from './version.js'
