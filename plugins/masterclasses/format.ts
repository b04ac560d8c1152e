// Display helpers shared by the plugin's components: money from minor units and date ranges.
import type { MasterclassPrice } from './contract.ts'

// Intl formatters are costly to build (they dominated landing-page SSR); one per locale/options is reused.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>()

function numberFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `n|${locale}|${currency}`
  let format = formatters.get(key) as Intl.NumberFormat | undefined
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency })
    formatters.set(key, format)
  }
  return format
}

function dateFormat(locale: string, withDate: boolean, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `d|${locale}|${withDate}|${timeZone ?? ''}`
  let format = formatters.get(key) as Intl.DateTimeFormat | undefined
  if (!format) {
    format = new Intl.DateTimeFormat(
      locale,
      withDate ? { dateStyle: 'full', timeStyle: 'short', timeZone } : { timeStyle: 'short', timeZone }
    )
    formatters.set(key, format)
  }
  return format
}

export function formatPrice(price: MasterclassPrice, locale = 'en-US'): string {
  if (price.amount === 0) return 'Free'
  const format = numberFormat(locale, price.currency)
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(price.amount / 10 ** digits)
}

export function formatWhen(startTime: string, endTime: string, locale = 'en-US', timeZone?: string): string {
  const day = dateFormat(locale, true, timeZone).format(new Date(startTime))
  const until = dateFormat(locale, false, timeZone).format(new Date(endTime))
  return `${day} – ${until}`
}
