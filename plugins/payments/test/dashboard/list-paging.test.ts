// The dashboard's list paging: the page from the URL, the service query for it, the links to other pages of one
// list and the pager's figures.
import { describe, expect, it } from 'vitest'
import {
  INVOICES_PER_PAGE,
  PAYMENTS_PER_PAGE,
  pageHref,
  pageNumber,
  pageQuery,
  pager
} from '../../dashboard/list-paging.ts'

describe('invoice list paging', () => {
  it('reads the page from the URL, anything but a positive integer being the first', () => {
    expect(pageNumber(null)).toBe(1)
    expect(pageNumber('3')).toBe(3)
    for (const bad of ['0', '-2', '1.5', 'x', '', '99999999']) expect(pageNumber(bad)).toBe(1)
  })

  it('asks the service for one page at a time', () => {
    expect(pageQuery(1, INVOICES_PER_PAGE)).toEqual({ $skip: 0, $limit: 50 })
    expect(pageQuery(3, INVOICES_PER_PAGE)).toEqual({ $skip: 100, $limit: 50 })
    expect(pageQuery(2, PAYMENTS_PER_PAGE)).toEqual({ $skip: 50, $limit: 50 })
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

  it("links another page of one list, keeping the filters and the other lists' pages", () => {
    const current = {
      status: 'open',
      paymentStatus: '',
      disputed: 'true',
      page: '2',
      paymentsPage: '',
      eventsPage: ''
    }
    expect(pageHref(current, 'payments', 3)).toBe('?status=open&disputed=true&page=2&paymentsPage=3')
    expect(pageHref(current, 'failedEvents', 2)).toBe('?status=open&disputed=true&page=2&eventsPage=2')
    // The first page needs no parameter.
    expect(pageHref(current, 'invoices', 1)).toBe('?status=open&disputed=true')
    expect(pageHref({ page: '', paymentsPage: '4' }, 'payments', 1)).toBe('?')
  })
})
