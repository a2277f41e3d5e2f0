import {homedir} from 'node:os'

/** The user's home: $HOME, else the OS's idea of it. */
export function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir()
}
