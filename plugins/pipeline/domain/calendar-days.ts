// Calendar days of a period in an IANA time zone, for the metrics' per-day series (zero-filled days).

/** Longest period a per-day series covers: a series of more days is refused, not truncated. */
export const MAX_SERIES_DAYS = 732

const DAY_MS = 24 * 3600_000
const formats = new Map<string, Intl.DateTimeFormat>()

/** The zone's day formatter, or undefined for a name the runtime does not know. */
function dayFormat(timeZone: string): Intl.DateTimeFormat | undefined {
  let format = formats.get(timeZone)
  if (format) return format
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  } catch {
    return undefined
  }
  // Bounded: zone names come from queries too.
  if (formats.size > 500) formats.clear()
  formats.set(timeZone, format)
  return format
}

/** The zone's canonical name (what the database's time zone table knows), or undefined for an unknown one. */
export function canonicalTimeZone(name: string): string | undefined {
  return dayFormat(name)?.resolvedOptions().timeZone
}

/** The calendar day (`YYYY-MM-DD`) of an instant in `timeZone` (a zone canonicalTimeZone knows). */
export function dayIn(instant: Date, timeZone: string): string {
  const parts: Record<string, string> = {}
  for (const part of dayFormat(timeZone)!.formatToParts(instant)) parts[part.type] = part.value
  return `${parts.year}-${parts.month}-${parts.day}`
}

/**
 * Every day `[from, to)` touches in `timeZone`, in order (the first and last may be partial). Counting
 * whole dates, not 24-hour steps, so a daylight-saving change neither skips nor repeats a day.
 */
export function calendarDays(from: Date, to: Date, timeZone: string): string[] {
  if (to <= from) return []
  const first = Date.parse(`${dayIn(from, timeZone)}T00:00:00Z`)
  const last = Date.parse(`${dayIn(new Date(to.getTime() - 1), timeZone)}T00:00:00Z`)
  const days: string[] = []
  for (let day = first; day <= last; day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10))
  return days
}
