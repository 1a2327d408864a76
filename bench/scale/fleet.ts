import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ALL_CPUS, spawnNode } from '../lib/proc.js'
import { cleanup } from './cleanup.js'
import type { Command } from './clients.js'

const GENERATOR = fileURLToPath(new URL('./clients.js', import.meta.url))
/** Sockets per generator process: with its HTTP connections and Node's own files, under 20,000 descriptors. */
export const SOCKETS_PER_GENERATOR = 15_000

/** One client generator process, asked over IPC. */
export class Generator {
  private seq = 0
  private readonly waiting = new Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>()
  private tail = ''

  constructor (private readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.tail = (this.tail + chunk).slice(-2000) })
    child.on('message', (msg: { id: number, result?: unknown, error?: string }) => {
      const pending = this.waiting.get(msg.id)
      this.waiting.delete(msg.id)
      if (msg.error !== undefined) pending?.reject(new Error(msg.error))
      else pending?.resolve(msg.result)
    })
    child.once('exit', (code) => {
      for (const { reject } of this.waiting.values()) reject(new Error(`client generator exited (${code ?? 'signal'}): ${this.tail.trim()}`))
      this.waiting.clear()
    })
  }

  ask<T> (command: Command): Promise<T> {
    const id = ++this.seq
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.child.send({ id, command })
    })
  }
}

/** `count` generator processes, ended with the run. */
export function startGenerators (count: number): Generator[] {
  return Array.from({ length: count }, () => new Generator(cleanup.track(spawnNode(GENERATOR, [], ALL_CPUS, {}))))
}

/** Split [0, total) into `parts` contiguous ranges, as even as possible. */
export function ranges (total: number, parts: number): Array<[number, number]> {
  return Array.from({ length: parts }, (_, i) => [Math.floor(total * i / parts), Math.floor(total * (i + 1) / parts)])
}
