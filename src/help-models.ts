import type {HelpModels} from './help-fast.js'

/**
 * `dockerd --help` per target OS, rendered at build time by oclif (scripts/help-model.mjs writes
 * lib/help-models.js over the compiled form of this file). Empty when running from the sources:
 * the fast --help then hands over to oclif.
 */
export const helpModels: Partial<Record<string, HelpModels>> = {}
