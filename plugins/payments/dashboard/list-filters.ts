// The payments page's filters as URL parameters, built once for all of the page's links: a filter link
// changes one filter and sends every list back to its first page, a page link keeps the filters.
import { queryString } from './list-paging.ts'

export interface PaymentsFilters {
  status: string
  paymentStatus: string
  disputed: boolean
}

export type FilterParam = 'status' | 'paymentStatus' | 'disputed'

/** The filters as URL parameters; an unset one is empty (links leave it out). */
export function filterParams(filters: PaymentsFilters): Record<FilterParam, string> {
  return {
    status: filters.status,
    paymentStatus: filters.paymentStatus,
    disputed: filters.disputed ? 'true' : ''
  }
}

/** The query string with one filter changed (the others kept, the lists' pages dropped). */
export function filterHref(params: Record<FilterParam, string>, name: FilterParam, value: string): string {
  return queryString({ ...params, [name]: value })
}
