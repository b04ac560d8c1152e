// Date inputs on the dashboard pick whole days while periods end exclusively: a picked "to" day means
// up to the next midnight, and the form shows a period's end as the last day it includes.

/** The query value of a date filter: `to` given as a bare day becomes the following midnight (UTC). */
export function dayBound(key: 'from' | 'to', value: string): string {
  const date = new Date(value)
  if (key === 'to' && /^\d{4}-\d{2}-\d{2}$/.test(value)) date.setUTCDate(date.getUTCDate() + 1)
  return date.toISOString()
}

/** The last day an exclusive end includes, for a date input. */
export function lastIncludedDay(to: string): string {
  return new Date(Date.parse(to) - 1).toISOString().slice(0, 10)
}
