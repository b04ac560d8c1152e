// The payments page's filter parameters, built once for its filter links and its page links.
import { describe, expect, it } from 'vitest'
import { filterHref, filterParams } from '../../dashboard/list-filters.ts'
import { pageHref, pageParams } from '../../dashboard/list-paging.ts'

describe('payments page filters', () => {
  const params = filterParams({ status: 'open', paymentStatus: '', disputed: true })

  it('are URL parameters, an unset filter empty', () => {
    expect(params).toEqual({ status: 'open', paymentStatus: '', disputed: 'true' })
    expect(filterParams({ status: '', paymentStatus: 'failed', disputed: false })).toEqual({
      status: '',
      paymentStatus: 'failed',
      disputed: ''
    })
  })

  it('link one filter changed, the others kept and every list back to its first page', () => {
    expect(filterHref(params, 'paymentStatus', 'failed')).toBe(
      '?status=open&paymentStatus=failed&disputed=true'
    )
    expect(filterHref(params, 'status', '')).toBe('?disputed=true')
    expect(filterHref(params, 'disputed', '')).toBe('?status=open')
  })

  it('are kept by the page links, with the other lists’ pages', () => {
    const current = { ...params, ...pageParams({ invoices: 2, payments: 1, failedEvents: 4 }) }
    expect(current).toEqual({
      status: 'open',
      paymentStatus: '',
      disputed: 'true',
      page: '2',
      paymentsPage: '',
      eventsPage: '4'
    })
    expect(pageHref(current, 'payments', 3)).toBe(
      '?status=open&disputed=true&page=2&paymentsPage=3&eventsPage=4'
    )
  })
})
