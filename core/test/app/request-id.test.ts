// Request ids: a well-formed caller id is kept; minted ids are UUID-shaped and never repeat in a process.
import { describe, expect, it } from 'vitest'
import { mintRequestId, requestIdFor } from '../../src/app/request-id.ts'

describe('request id', () => {
  it('keeps a well-formed incoming id and mints one for anything else', () => {
    expect(requestIdFor('req-12345678')).toBe('req-12345678')
    for (const incoming of [undefined, 'short', 'bad id <script>', ['req-12345678', 'req-87654321']])
      expect(requestIdFor(incoming)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
      )
  })

  it('mints distinct ids', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => mintRequestId()))
    expect(ids.size).toBe(10_000)
  })
})
