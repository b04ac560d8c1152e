// Date operators' `timezone` operands as MongoDB accepts them: mingo takes only two-part Olson names
// (`Area/City`) and ±HH:MM offsets, while MongoDB also takes the fixed zones (`UTC`, `GMT`, `Etc/GMT+5`,
// `Etc/UTC`, ...). Those are constant offsets, so a stage's literal fixed-zone operands are rewritten to
// their offset before mingo runs it. (Region names with DST cannot be rewritten; three-part ones such as
// `America/Argentina/Buenos_Aires` remain unsupported by this engine.)
import type { Document } from 'bson'

const FIXED_ZONE = /^(?:Etc\/[A-Za-z0-9+-]+|UTC|UCT|GMT|GMT[+-]0|GMT0|Zulu|Universal|Greenwich)$/
const offsets = new Map<string, string | null>()

/** `+HH:MM` of a fixed zone MongoDB knows; undefined for anything else (left to mingo as it is). */
export function fixedZoneOffset(zone: string): string | undefined {
  let offset = offsets.get(zone)
  if (offset === undefined) {
    offset = null
    if (FIXED_ZONE.test(zone)) {
      try {
        const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
          .formatToParts(new Date(0))
          .find((part) => part.type === 'timeZoneName')?.value
        // 'GMT' for a zero offset, 'GMT-05:00' otherwise.
        if (name === 'GMT') offset = '+00:00'
        else if (name && /^GMT[+-]\d{2}:\d{2}$/.test(name)) offset = name.slice(3)
      } catch {
        // Not a zone this runtime knows: mingo reports it.
      }
    }
    offsets.set(zone, offset)
  }
  return offset ?? undefined
}

/** The operators whose argument document takes a `timezone` (only there is the key an operand). */
const DATE_OPERATORS = new Set([
  '$dateToString',
  '$dateToParts',
  '$dateFromParts',
  '$dateFromString',
  '$dateTrunc',
  '$dateAdd',
  '$dateSubtract',
  '$dateDiff',
  '$year',
  '$month',
  '$week',
  '$dayOfMonth',
  '$dayOfWeek',
  '$dayOfYear',
  '$hour',
  '$minute',
  '$second',
  '$millisecond',
  '$isoWeek',
  '$isoWeekYear',
  '$isoDayOfWeek'
])

/**
 * The stage with the literal fixed-zone `timezone` operands of date operators as offsets (a field that is
 * merely named `timezone` is data and stays as it is); the same object when there are none.
 */
export function withFixedZonesAsOffsets<T>(value: T, operator?: string): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    value.forEach((item, index) => {
      const next = withFixedZonesAsOffsets(item)
      if (next === item) return
      copy ??= [...value]
      copy[index] = next
    })
    return (copy ?? value) as T
  }
  if (!isPlainObject(value)) return value
  const takesTimezone = operator !== undefined && DATE_OPERATORS.has(operator)
  let copy: Document | undefined
  for (const [key, item] of Object.entries(value)) {
    const next =
      takesTimezone && key === 'timezone' && typeof item === 'string' && !item.startsWith('$')
        ? (fixedZoneOffset(item) ?? item)
        : withFixedZonesAsOffsets(item, key)
    if (next === item) continue
    copy ??= { ...(value as Document) }
    copy[key] = next
  }
  return (copy ?? value) as T
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
