// The board's columns are paged separately: each shows its newest cards (a page at first, one more per "load
// more", `show.<STATUS>` in the URL so it works without JavaScript and survives a reload) and the server's
// count of all its leads, which live changes then keep up to date.
import { COLUMN_PAGE, LEAD_STATUSES, LEADS_PAGE_MAX, type Lead, type LeadStatus } from '../contract.ts'

export { COLUMN_PAGE }
/** The leads service's largest page: beyond it a column says how many it holds (filters or the CSV help). */
export const COLUMN_MAX = LEADS_PAGE_MAX

export type ColumnCounts = Record<LeadStatus, number>

const param = (status: LeadStatus) => `show.${status}`

/** How many cards each column shows, from the URL (whole pages, within 1..COLUMN_MAX pages). */
export function shownOf(url: URL): ColumnCounts {
  const shown = {} as ColumnCounts
  for (const status of LEAD_STATUSES) {
    const asked = Number(url.searchParams.get(param(status)))
    const pages = Number.isInteger(asked) && asked > 0 ? Math.ceil(asked / COLUMN_PAGE) : 1
    shown[status] = Math.min(pages * COLUMN_PAGE, COLUMN_MAX)
  }
  return shown
}

/** The same board with one more page of `status`'s column. */
export function moreHref(url: URL, status: LeadStatus, shown: number): string {
  const next = new URL(url)
  next.searchParams.set(param(status), String(Math.min(shown + COLUMN_PAGE, COLUMN_MAX)))
  return `${next.pathname}${next.search}`
}

/**
 * Counts after one lead changed on the board (`before`: the card as shown, if it was; `after`: the card now,
 * or undefined when it left the board's filters; `created`: a new lead, not an edit). An edited lead the
 * board had not loaded (beyond a column's page) is already counted in a column this cannot tell: the counts
 * stay (right for the usual note, tag or owner edit; a move of such a lead shows until the next load).
 */
export function countChange(
  counts: ColumnCounts,
  before: Lead | undefined,
  after: Lead | undefined,
  created = false
): ColumnCounts {
  if (before?.status === after?.status) return counts
  if (!before && !created) return counts
  const next = { ...counts }
  if (before) next[before.status] = Math.max(0, next[before.status] - 1)
  if (after) next[after.status] += 1
  return next
}
