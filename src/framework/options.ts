// `dockerd-ts/options`: the option table a daemon declares its flags and config keys with, and
// the pflag-compatible argv reader the pipeline runs on it.
export {FlagError, flagErrorText, normalizeArgv, toFlagValues, type NormalizedArgv} from '../options/argv.js'
export {OptionCollisionError, OptionTable, typeWord, type TableEntry} from '../options/table.js'
export type {DefaultsContext, FlagSet, OptionKind, OptionSpec} from '../options/types.js'
