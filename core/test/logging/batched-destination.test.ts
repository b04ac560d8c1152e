// The batched destination hands lines to its writer in order, as few large chunks: when the batch is
// nearly full, at most maxDelayMs after its first line, at once for an error line, and on flush/flushSync.
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { batchedDestination, type LineWriter } from '../../src/logging/batched-destination.ts'

function recordingWriter() {
  const chunks: string[] = []
  const calls: string[] = []
  const writer: LineWriter = {
    write: (chunk) => {
      chunks.push(chunk.toString('utf8'))
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

describe('batchedDestination', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('hands lines over in order at most maxDelayMs after the first one of a batch', async () => {
    const { writer, chunks } = recordingWriter()
    const destination = batchedDestination(writer, { maxDelayMs: 20 })
    destination.write('a\n')
    destination.write('b\n')
    await Promise.resolve()
    vi.advanceTimersByTime(10)
    destination.write('c\n')
    vi.advanceTimersByTime(9)
    expect(chunks).toEqual([])
    vi.advanceTimersByTime(1)
    expect(chunks).toEqual(['a\nb\nc\n'])
    // The next batch gets its own full delay.
    vi.advanceTimersByTime(100)
    destination.write('d\n')
    vi.advanceTimersByTime(19)
    expect(chunks).toEqual(['a\nb\nc\n'])
    vi.advanceTimersByTime(1)
    expect(chunks).toEqual(['a\nb\nc\n', 'd\n'])
    destination.release()
  })

  it('hands a batch over as soon as the next line might not fit, without waiting for the timer', () => {
    const { writer, chunks } = recordingWriter()
    const destination = batchedDestination(writer, { capacity: 64, maxDelayMs: 1000 })
    const line = (n: number) => `${String(n).padStart(9, '0')}\n` // 10 characters, up to 30 bytes
    for (let n = 1; n <= 4; n++) destination.write(line(n)) // 40 bytes used; each fit in the worst case
    expect(chunks).toEqual([])
    destination.write(line(5)) // 40 used + up to 30 > 64: the first four go, the fifth starts a batch
    expect(chunks).toEqual([line(1) + line(2) + line(3) + line(4)])
    destination.flushSync()
    expect(chunks).toEqual([line(1) + line(2) + line(3) + line(4), line(5)])
    destination.release()
  })

  it('writes a line larger than a batch alone, after the lines before it', () => {
    const { writer, chunks } = recordingWriter()
    const destination = batchedDestination(writer, { capacity: 64 })
    const big = `${'é'.repeat(100)}\n`
    destination.write('before\n')
    destination.write(big)
    destination.write('after\n')
    destination.flushSync()
    expect(chunks).toEqual(['before\n', big, 'after\n'])
    destination.release()
  })

  it('hands error lines over at once, with the lines queued before them', () => {
    const { writer, chunks } = recordingWriter()
    const destination = batchedDestination(writer, { maxDelayMs: 1000 })
    const logger = pino({ base: undefined, timestamp: false }, destination)
    logger.info('first')
    expect(chunks).toEqual([])
    logger.error('broken')
    expect(chunks).toHaveLength(1)
    expect(
      chunks[0]
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).msg)
    ).toEqual(['first', 'broken'])
    destination.release()
  })

  it('flush hands queued lines over before the writer flushes, and nothing twice', () => {
    const { writer, chunks, calls } = recordingWriter()
    const destination = batchedDestination(writer)
    destination.write('x\n')
    destination.write('y\n')
    const flushed = vi.fn()
    destination.flush(flushed)
    expect(flushed).toHaveBeenCalledOnce()
    expect(chunks).toEqual(['x\ny\n'])
    expect(calls).toEqual(['flush'])
    vi.advanceTimersByTime(1000)
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

  it('keeps multi-byte characters intact across batches', () => {
    const { writer, chunks } = recordingWriter()
    const destination = batchedDestination(writer, { capacity: 24 })
    const lines = ['añb\n', '€€€\n', '😀x\n', 'plain\n', 'ü\n', '日本語\n']
    for (const line of lines) destination.write(line)
    destination.flushSync()
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.join('')).toBe(lines.join(''))
    destination.release()
  })

  it('keeps handing batches over on real timers, batch after batch (not only the first)', async () => {
    vi.useRealTimers()
    const { writer, chunks } = recordingWriter()
    const destination = batchedDestination(writer, { maxDelayMs: 10 })
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    for (const line of ['a\n', 'b\n', 'c\n']) {
      destination.write(line)
      await pause(40)
    }
    // An early hand-over (an error line) between timed batches does not stop the timer either.
    const logger = pino({ base: undefined, timestamp: false }, destination)
    logger.error('e')
    logger.info('f')
    await pause(40)
    expect(chunks.slice(0, 3)).toEqual(['a\n', 'b\n', 'c\n'])
    expect(chunks.slice(3).map((chunk) => JSON.parse(chunk).msg)).toEqual(['e', 'f'])
    destination.release()
  })
})
