// TurnBatch: what is added within one event-loop turn is handed over together per key, in order; what is
// added after the hand-over starts the next batch.
import { expect, it } from 'vitest'
import { TurnBatch } from '../../src/app/turn-batch.ts'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

it('hands one turn s items over per key in order, and starts a new batch after', async () => {
  const flushed: [string, number[]][] = []
  const batch = new TurnBatch<string, number>((key, items) => flushed.push([key, items]))
  batch.add('a', 1)
  batch.add('b', 2)
  batch.add('a', 3)
  expect(flushed).toEqual([])
  await nextTurn()
  expect(flushed).toEqual([
    ['a', [1, 3]],
    ['b', [2]]
  ])
  batch.add('a', 4)
  await nextTurn()
  expect(flushed.at(-1)).toEqual(['a', [4]])
  expect(flushed).toHaveLength(3)
})
