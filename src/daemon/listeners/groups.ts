// The --group of a unix socket: /etc/group, then NSS, then a numeric gid.
import {readFileSync} from 'node:fs'

/** /etc/group lines `name:passwd:gid:members`; later duplicates do not override earlier ones. */
export function parseGroupFile(text: string): Map<string, number> {
  const groups = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue
    const [name, , gid] = line.split(':')
    if (!name || gid === undefined || !/^\d+$/.test(gid.trim())) continue
    if (!groups.has(name)) groups.set(name, Number(gid.trim()))
  }

  return groups
}

/** user.LookupGroup then a numeric gid, as moby's lookupGID: the group file, NSS, then digits. */
export async function lookupGroupId(
  name: string,
  opts: {groupFile?: string; useGetent?: boolean} = {},
): Promise<number | undefined> {
  try {
    const gid = parseGroupFile(readFileSync(opts.groupFile ?? '/etc/group', 'utf8')).get(name)
    if (gid !== undefined) return gid
  } catch {
    // No readable group file (containers, Windows): fall through.
  }

  if (opts.useGetent ?? true) {
    const out = await new Promise<string>((resolve) => {
      void import('node:child_process').then(({execFile}) => execFile('getent', ['group', name], {timeout: 2000}, (error, stdout) => resolve(error ? '' : String(stdout))))
    })
    const gid = out.split('\n')[0]?.split(':')[2]
    if (gid && /^\d+$/.test(gid)) return Number(gid)
  }

  return /^\d+$/.test(name) ? Number(name) : undefined
}
