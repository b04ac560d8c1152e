// The access log's JSON fragments equal what JSON.stringify and the former rounding wrote, for every kind
// of string and duration.
import { describe, expect, it } from 'vitest'
import { jsonString, tenthsOfMs } from '../../src/logging/json-fragments.ts'

describe('json fragments', () => {
  it('writes strings as JSON.stringify does', () => {
    const samples = [
      '',
      'req-1234',
      '/bench/items/42',
      'a"b',
      'a\\b',
      'é',
      '\u0001',
      '\n',
      '\ud800',
      '~ !#[]',
      '\u007f'
    ]
    for (const value of samples) expect(jsonString(value)).toBe(JSON.stringify(value))
  })

  it('writes durations as String(Math.round(ms * 10) / 10)', () => {
    const samples = [0, 0.04, 0.05, 0.95, 1, 12.34, 99.96, 1e12, 1e25, -0.01, Number.NaN]
    for (let index = 0; index < 10_000; index++) samples.push(Math.random() * 10 ** (index % 6))
    for (const ms of samples) expect(tenthsOfMs(ms)).toBe(String(Math.round(ms * 10) / 10))
  })
})
