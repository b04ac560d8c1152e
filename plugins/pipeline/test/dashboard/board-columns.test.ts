// The board's per-column paging: how many cards each column shows (from the URL), the "load more" link, and
// the column counts kept up to date by live changes.
import { describe, expect, it } from 'vitest'
import type { Lead, LeadStatus } from '../../contract.ts'
import {
  COLUMN_MAX,
  COLUMN_PAGE,
  type ColumnCounts,
  countChange,
  moreHref,
  shownOf
} from '../../dashboard/board-columns.ts'

const lead = (status: LeadStatus) => ({ _id: 'l1', status }) as Lead
const counts: ColumnCounts = { NEW: 60, INVOICED: 2, PAID: 0, ATTENDED: 0, SCHEDULED: 0, WON: 0, LOST: 1 }

describe('board columns', () => {
  it('shows a page per column unless the URL asks for more, in whole pages, at most the service’s page', () => {
    const url = new URL(
      'https://dash.test/p/pipeline?source=ig&show.NEW=100&show.PAID=7&show.LOST=99999&show.WON=x'
    )
    expect(shownOf(url)).toEqual({
      NEW: 100,
      INVOICED: COLUMN_PAGE,
      PAID: COLUMN_PAGE,
      ATTENDED: COLUMN_PAGE,
      SCHEDULED: COLUMN_PAGE,
      WON: COLUMN_PAGE,
      LOST: COLUMN_MAX
    })
  })

  it('links to one more page of a column, keeping the filters and the other columns', () => {
    const url = new URL('https://dash.test/p/pipeline?source=ig&show.PAID=100')
    expect(moreHref(url, 'NEW', 50)).toBe('/p/pipeline?source=ig&show.PAID=100&show.NEW=100')
    expect(moreHref(url, 'PAID', 100)).toBe('/p/pipeline?source=ig&show.PAID=150')
    expect(moreHref(url, 'PAID', 480)).toBe(`/p/pipeline?source=ig&show.PAID=${COLUMN_MAX}`)
  })

  it('moves a count between columns when a shown lead moves, counts new leads, uncounts leads leaving', () => {
    expect(countChange(counts, lead('NEW'), lead('LOST'))).toMatchObject({ NEW: 59, LOST: 2 })
    expect(countChange(counts, undefined, lead('NEW'), true)).toMatchObject({ NEW: 61 })
    // An edit of a lead beyond the loaded page: already counted somewhere, the counts stay.
    expect(countChange(counts, undefined, lead('NEW'))).toBe(counts)
    expect(countChange(counts, lead('INVOICED'), undefined)).toMatchObject({ INVOICED: 1 })
    expect(countChange(counts, lead('NEW'), lead('NEW'))).toBe(counts)
    expect(countChange({ ...counts, PAID: 0 }, lead('PAID'), undefined).PAID).toBe(0)
  })
})
