// Display helpers: currency minor units per currency, free classes, and time ranges in the tenant's time zone.
import { describe, expect, it } from 'vitest'
import { formatPrice, formatWhen } from '../format.ts'

describe('formatPrice', () => {
  it('reads amounts in the currency minor unit', () => {
    expect(formatPrice({ amount: 19900, currency: 'USD' })).toBe('$199.00')
    expect(formatPrice({ amount: 5000, currency: 'JPY' })).toBe('¥5,000')
    expect(formatPrice({ amount: 1999, currency: 'EUR' }, 'de-DE')).toBe('19,99\u00a0€')
  })

  it('says Free for zero, whatever the currency', () => {
    expect(formatPrice({ amount: 0, currency: 'EUR' })).toBe('Free')
  })

  it('keeps formatters apart per locale and currency when reused', () => {
    expect(formatPrice({ amount: 100, currency: 'USD' })).toBe('$1.00')
    expect(formatPrice({ amount: 100, currency: 'GBP' })).toBe('£1.00')
    expect(formatPrice({ amount: 100, currency: 'USD' })).toBe('$1.00')
  })
})

describe('formatWhen', () => {
  it('shows the start day and both times in the given time zone', () => {
    const start = '2026-12-01T18:00:00.000Z'
    const end = '2026-12-01T19:30:00.000Z'
    expect(formatWhen(start, end, 'en-US', 'UTC')).toBe('Tuesday, December 1, 2026 at 6:00 PM – 7:30 PM')
    expect(formatWhen(start, end, 'en-US', 'America/New_York')).toBe(
      'Tuesday, December 1, 2026 at 1:00 PM – 2:30 PM'
    )
  })
})
