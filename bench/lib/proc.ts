import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat's utime/stime (USER_HZ). */
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0
const CORES = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim()) || 1
/** Server on the first core, load generator on the second, when the machine has two. */
export const SERVER_CPU = '0'
export const CLIENT_CPU = CORES > 1 ? '1' : '0'
/** Every core: processes of the scale run are left to the scheduler. */
export const ALL_CPUS = `0-${CORES - 1}`

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

/** CPU seconds every process on the machine has used so far (all cores, from /proc/stat). */
export function machineBusySeconds (): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number)
  return (user + nice + system + irq + softirq + steal) / CLK_TCK
}

/** Resident set size of a process, in bytes. */
export function rssBytes (pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Number(match[1]) * 1024
}

/**
 * Start a Node script with an IPC channel, pinned to a core with taskset and
 * with the fd limit raised to the hard limit (10,000 sockets need more than
 * the usual 1,024). `exec` keeps the pid, so /proc/<pid> is the Node process.
 */
export function spawnNode (script: string, args: string[], cpu: string, env: Record<string, string>, nodeFlags: string[] = [], cwd?: string): ChildProcess {
  const pin = HAS_TASKSET ? `taskset -c ${cpu} ` : ''
  const cmd = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${pin}"$0" "$@"`
  return spawn('sh', ['-c', cmd, process.execPath, ...nodeFlags, script, ...args], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
    cwd
  })
}

/** The next IPC message of a child that satisfies `pick`, or a rejection when it exits first. */
export function nextMessage<T> (child: ChildProcess, pick: (msg: any) => T | undefined, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { done(); reject(new Error(`no answer from child within ${timeoutMs} ms`)) }, timeoutMs)
    const onMessage = (msg: unknown): void => {
      const value = pick(msg)
      if (value !== undefined) { done(); resolve(value) }
    }
    const onExit = (code: number | null): void => { done(); reject(new Error(`child exited (${code ?? 'signal'})`)) }
    function done (): void {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Stop a child (SIGTERM, SIGKILL after `graceMs`) and wait for it to be gone. */
export async function stop (child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await gone
  clearTimeout(timer)
}
