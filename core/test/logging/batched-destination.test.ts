// The batched destination hands the lines of one event-loop turn to its writer as one chunk, in order,
// and nothing queued is lost on flush or flushSync.
import { describe, expect, it } from 'vitest'
import { batchedDestination, type LineWriter } from '../../src/logging/batched-destination.ts'

function recordingWriter() {
  const chunks: string[] = []
  const calls: string[] = []
  const writer: LineWriter = {
    write: (chunk) => {
      chunks.push(chunk)
      return true
    },
    flush: (callback) => {
      calls.push('flush')
      callback?.()
    },
    flushSync: () => {
      calls.push('flushSync')
    }
  }
  return { writer, chunks, calls }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('batchedDestination', () => {
  it('hands the lines of one turn to the writer as one chunk, in order', async () => {
    const { writer, chunks } = recordingWriter()
    const destination = batchedDestination(writer)
    destination.write('a\n')
    destination.write('b\n')
    await Promise.resolve()
    destination.write('c\n')
    expect(chunks).toEqual([])
    await nextTurn()
    expect(chunks).toEqual(['a\nb\nc\n'])
    destination.write('d\n')
    await nextTurn()
    expect(chunks).toEqual(['a\nb\nc\n', 'd\n'])
    destination.release()
  })

  it('flush hands queued lines over before the writer flushes', async () => {
    const { writer, chunks, calls } = recordingWriter()
    const destination = batchedDestination(writer)
    destination.write('x\n')
    destination.write('y\n')
    await new Promise<void>((resolve) => destination.flush(() => resolve()))
    expect(chunks).toEqual(['x\ny\n'])
    expect(calls).toEqual(['flush'])
    // Nothing is handed over twice when the scheduled turn comes.
    await nextTurn()
    expect(chunks).toEqual(['x\ny\n'])
    destination.release()
  })

  it('flushSync writes queued lines synchronously (process exit)', () => {
    const { writer, chunks, calls } = recordingWriter()
    const destination = batchedDestination(writer)
    destination.write('last\n')
    destination.flushSync()
    expect(chunks).toEqual(['last\n'])
    expect(calls).toEqual(['flushSync'])
    destination.release()
  })
})
