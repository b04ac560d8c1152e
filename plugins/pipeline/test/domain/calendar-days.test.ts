// Calendar days of a period in a time zone: whole dates across daylight-saving changes, partial edge days,
// unknown zones refused.
import { describe, expect, it } from 'vitest'
import { calendarDays, canonicalTimeZone, dayIn } from '../../domain/calendar-days.ts'

describe('calendar days', () => {
  it('lists each day a period touches in the zone, across a daylight-saving change', () => {
    // New York springs forward on 8 March 2026 (a 23-hour day): no day skipped or repeated.
    expect(
      calendarDays(new Date('2026-03-07T05:00:00Z'), new Date('2026-03-10T04:00:00Z'), 'America/New_York')
    ).toEqual(['2026-03-07', '2026-03-08', '2026-03-09'])
    // Partial first and last days count; an end at midnight does not add the next day.
    expect(calendarDays(new Date('2026-03-01T12:00:00Z'), new Date('2026-03-03T00:00:00Z'), 'UTC')).toEqual([
      '2026-03-01',
      '2026-03-02'
    ])
    expect(calendarDays(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'), 'UTC')).toEqual(
      []
    )
  })

  it('dates an instant in the zone', () => {
    expect(dayIn(new Date('2026-03-02T03:00:00Z'), 'America/New_York')).toBe('2026-03-01')
    expect(dayIn(new Date('2026-03-01T20:00:00Z'), 'Asia/Tokyo')).toBe('2026-03-02')
  })

  it('knows IANA zones and refuses others', () => {
    expect(canonicalTimeZone('Europe/Lisbon')).toBe('Europe/Lisbon')
    expect(canonicalTimeZone('utc')).toBe('UTC')
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined()
  })
})
