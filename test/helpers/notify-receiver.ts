import {type ChildProcess, spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

/** A fake NOTIFY_SOCKET (python3: Node has no unix datagram sockets): one JSON line per datagram. */
const RECEIVER = `
import json, os, socket, sys
path, stop_at_barrier = sys.argv[1], sys.argv[2] == "1"
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + path[1:] if path.startswith('@') else path)
print(json.dumps({"bound": True}), flush=True)
s.settimeout(30)
while True:
    try:
        msg, fds, _flags, _addr = socket.recv_fds(s, 4096, 4)
    except socket.timeout:
        break
    for fd in fds:
        os.close(fd)
    text = msg.decode()
    print(json.dumps({"msg": text}), flush=True)
    if stop_at_barrier and text == "BARRIER=1":
        break
`

export interface Receiver {
  /** Resolves when the receiver exits (after BARRIER=1 when asked to stop there, or 30 s idle). */
  done: Promise<void>
  /** Each datagram's text, in arrival order. */
  messages: string[]
  proc: ChildProcess
}

/** Binds `path` (`@name` = abstract) and resolves once it is bound. */
export function startReceiver(path: string, opts: {stopAtBarrier?: boolean} = {}): Promise<Receiver> {
  const proc = spawn('python3', ['-c', RECEIVER, path, opts.stopAtBarrier ? '1' : '0'], {stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000})
  const messages: string[] = []
  const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    proc.once('error', reject)
    createInterface({input: proc.stdout!}).on('line', (line) => {
      const v = JSON.parse(line) as {bound?: boolean; msg?: string}
      if (v.bound) resolve({done, messages, proc})
      else if (v.msg !== undefined) messages.push(v.msg)
    })
  })
}
