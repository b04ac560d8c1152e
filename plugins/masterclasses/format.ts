// Display helpers shared by the plugin's components: money from minor units and date ranges.
import type { MasterclassPrice } from './contract.ts'

export function formatPrice(price: MasterclassPrice, locale = 'en-US'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: price.currency })
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return price.amount === 0 ? 'Free' : format.format(price.amount / 10 ** digits)
}

export function formatWhen(startTime: string, endTime: string, locale = 'en-US', timeZone?: string): string {
  const start = new Date(startTime)
  const end = new Date(endTime)
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(
    start
  )
  const until = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(end)
  return `${day} – ${until}`
}
