import {boolean, string} from '@oclif/core/flags'
import type {FlagInput} from '@oclif/core/interfaces'

import {isMultiple, isSwitch} from './argv.js'
import {typeWord, type TableEntry} from './table.js'

/**
 * oclif flags derived from the option table. Values stay strings here: conversion and validation
 * happen once, in the config layer, with dockerd's messages. No oclif defaults: a value means "given
 * on the command line" (which conflicts need), and help shows the table's live defaults.
 */
export function toOclifFlags(entries: readonly TableEntry[]): FlagInput {
  const flags: FlagInput = {}
  for (const entry of entries) {
    if (entry.fileOnly) continue
    const common = {
      ...(entry.char ? {char: entry.char as 'a'} : {}),
      description: entry.description,
      helpGroup: entry.group,
      hidden: entry.hidden ?? false,
    }
    flags[entry.name] =
      isSwitch(entry)
        ? boolean({...common, allowNo: true})
        : isMultiple(entry)
          ? string({...common, helpValue: typeWord(entry), multiple: true, multipleNonGreedy: true})
          : string({...common, helpValue: typeWord(entry)})
  }

  return flags
}
