import type {Hook} from '@oclif/core/hooks'

import {normalizeArgv, setLastNormalized} from '../../options/argv.js'
import {optionTable} from '../../options/index.js'
import {targetPlatform} from '../../platform/target.js'

/**
 * dockerd's argv is pflag's (`--iptables=false`, `-D=true`, `-pvalue`, last scalar wins): rewrite it
 * into what oclif parses, refusing unknown flags and missing values in pflag's words.
 */
const hook: Hook.Preparse = async function ({argv, options}) {
  // oclif runs the root's preparse hook for every command that parses, plugin-plugins' too: only
  // dockerd's own command (the one with --config-file) speaks pflag.
  if (!options.flags || !('config-file' in options.flags)) return argv
  const normalized = normalizeArgv(argv, optionTable(targetPlatform()))
  setLastNormalized(normalized)
  // --version wins over everything else (cobra checks it before the positional-argument rule).
  if (normalized.version && !normalized.help) return ['--version']
  return normalized.argv
}

export default hook
