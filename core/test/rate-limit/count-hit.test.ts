// countHit: the batched limiter's local decision without a promise, hit() otherwise, and one rule for a
// limiter that cannot count: `unavailable` fails open by returning or closed by throwing.
import { describe, expect, it, vi } from 'vitest'
import { countHit, warnAndFailOpen } from '../../src/rate-limit/count-hit.ts'

const rule = { name: 'test', points: 2, durationSeconds: 60 }
const allowed = { allowed: true, remaining: 1, retryAfterSeconds: 0 } as any
const refused = { allowed: false, remaining: 0, retryAfterSeconds: 7 } as any

describe('countHit', () => {
  it('answers synchronously from a local decision, without calling hit()', () => {
    const hit = vi.fn()
    const outcome = countHit({ hit, hitLocally: () => refused } as any, rule, 'ip', () => {})
    expect(outcome).toBe(refused)
    expect(hit).not.toHaveBeenCalled()
  })

  it('asks hit() when there is no local decision', async () => {
    const outcome = countHit(
      { hit: async () => allowed, hitLocally: () => undefined } as any,
      rule,
      'ip',
      () => {}
    )
    expect(outcome).toBeInstanceOf(Promise)
    expect(await outcome).toBe(allowed)
    expect(await countHit({ hit: async () => refused } as any, rule, 'ip', () => {})).toBe(refused)
  })

  it('fails open when the limiter rejects or throws and unavailable returns', async () => {
    const unavailable = vi.fn()
    const rejecting = { hit: async () => Promise.reject(new Error('redis down')) } as any
    expect(await countHit(rejecting, rule, 'ip', unavailable)).toBeUndefined()
    const throwing = {
      hit: () => {
        throw new Error('not connected')
      }
    } as any
    expect(countHit(throwing, rule, 'ip', unavailable)).toBeUndefined()
    expect(unavailable.mock.calls.map(([error]) => error.message)).toEqual(['redis down', 'not connected'])
  })

  it('fails closed when unavailable throws', async () => {
    const closed = () => {
      throw new Error('503')
    }
    await expect(
      countHit({ hit: async () => Promise.reject(new Error('down')) } as any, rule, 'ip', closed)
    ).rejects.toThrow('503')
  })

  it('warnAndFailOpen logs the message and fields with the error message only', () => {
    const warn = vi.fn()
    const unavailable = warnAndFailOpen(() => ({ warn }) as any, 'limit unavailable, failing open', {
      code: 'X'
    })
    const error = Object.assign(new Error('ECONNREFUSED'), { config: { password: 'p' } })
    expect(unavailable(error)).toBeUndefined()
    expect(warn).toHaveBeenCalledWith(
      { code: 'X', err: { message: 'ECONNREFUSED' } },
      'limit unavailable, failing open'
    )
  })
})
