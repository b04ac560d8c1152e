// Paging of the dashboard's payments lists through plain GET links (`?page=N` for the invoices, a parameter of
// its own for each other list): the page number from the URL, the service query for it, the link to another
// page and what the pager shows. The services page with $skip/$limit and answer the total of the filter, so
// the dashboard never loads more than one page of a list.

export const INVOICES_PER_PAGE = 50
export const PAYMENTS_PER_PAGE = 50
export const FAILED_EVENTS_PER_PAGE = 20

/** The URL parameter holding each list's page: the lists of one page page independently. */
export const PAGE_PARAMS = { invoices: 'page', payments: 'paymentsPage', failedEvents: 'eventsPage' } as const
export type PagedList = keyof typeof PAGE_PARAMS

/** A page number from the URL: a positive integer, anything else is the first page. */
export function pageNumber(value: string | null): number {
  if (value === null || !/^\d{1,6}$/.test(value)) return 1
  return Math.max(1, Number(value))
}

export function pageQuery(page: number, perPage: number): { $skip: number; $limit: number } {
  return { $skip: (page - 1) * perPage, $limit: perPage }
}

export interface Pager {
  /** 1-based positions of the first and last row shown (0 and 0 when the page is empty). */
  from: number
  to: number
  total: number
  pages: number
  previous: number | null
  next: number | null
}

export function pager(total: number, page: number, perPage: number, shown: number): Pager {
  const pages = Math.max(1, Math.ceil(total / perPage))
  const from = shown > 0 ? (page - 1) * perPage + 1 : 0
  return {
    from,
    to: shown > 0 ? from + shown - 1 : 0,
    total,
    pages,
    // Past the last page (a stale link), "previous" leads back to the last one.
    previous: page > 1 ? Math.min(page - 1, pages) : null,
    next: page < pages ? page + 1 : null
  }
}

/** Each list's page as its URL parameter; the first page is empty (links leave it out). */
export function pageParams(pages: Record<PagedList, number>): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [list, param] of Object.entries(PAGE_PARAMS))
    params[param] = pages[list as PagedList] > 1 ? String(pages[list as PagedList]) : ''
  return params
}

/**
 * The query string of another page of one list: the page's current parameters (filters and the other lists'
 * pages, empty ones left out) with that list's page changed; the first page needs no parameter.
 */
export function pageHref(current: Record<string, string>, list: PagedList, page: number): string {
  return queryString({ ...current, [PAGE_PARAMS[list]]: page > 1 ? String(page) : '' })
}

/** `?` and the non-empty parameters, in their order. */
export function queryString(params: Record<string, string>): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value)
  return `?${query}`
}
