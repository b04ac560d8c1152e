// The dashboard's invoice paging: the page from the URL, the service query for it, and the pager's figures.
import { describe, expect, it } from 'vitest'
import { INVOICES_PER_PAGE, pageNumber, pageQuery, pager } from '../../dashboard/list-paging.ts'

describe('invoice list paging', () => {
  it('reads the page from the URL, anything but a positive integer being the first', () => {
    expect(pageNumber(null)).toBe(1)
    expect(pageNumber('3')).toBe(3)
    for (const bad of ['0', '-2', '1.5', 'x', '', '99999999']) expect(pageNumber(bad)).toBe(1)
  })

  it('asks the service for one page at a time', () => {
    expect(pageQuery(1, INVOICES_PER_PAGE)).toEqual({ $skip: 0, $limit: 50 })
    expect(pageQuery(3, INVOICES_PER_PAGE)).toEqual({ $skip: 100, $limit: 50 })
  })

  it('shows the rows of the page among the total, with links to the neighbouring pages', () => {
    expect(pager(130, 1, 50, 50)).toEqual({ from: 1, to: 50, total: 130, pages: 3, previous: null, next: 2 })
    expect(pager(130, 3, 50, 30)).toEqual({
      from: 101,
      to: 130,
      total: 130,
      pages: 3,
      previous: 2,
      next: null
    })
    expect(pager(10, 1, 50, 10)).toMatchObject({ pages: 1, previous: null, next: null })
    // A stale link past the end: nothing shown, "previous" leads to the last page.
    expect(pager(130, 9, 50, 0)).toMatchObject({ from: 0, to: 0, previous: 3, next: null })
  })
})
