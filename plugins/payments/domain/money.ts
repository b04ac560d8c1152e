// Money in minor units: formatting for documents and emails, and the platform fee computation.

// Building an Intl.NumberFormat costs far more than formatting with one (each receipt formats several
// amounts): one per locale and currency, kept for the process (a handful of currencies in practice).
const formats = new Map<string, Intl.NumberFormat>()

function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`
  let format = formats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency })
    formats.set(key, format)
  }
  return format
}

const digitsByCurrency = new Map<string, number>()

/** Digits after the decimal point for a currency (0 for JPY, 2 for USD, 3 for KWD). */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency)
  if (digits === undefined) {
    // resolvedOptions() builds a fresh object on every call: asked once per currency.
    digits = currencyFormat('en-US', currency.toUpperCase()).resolvedOptions().maximumFractionDigits ?? 2
    digitsByCurrency.set(currency, digits)
  }
  return digits
}

export function formatMoney(amountMinor: number, currency: string, locale = 'en-US'): string {
  const digits = minorDigits(currency)
  return currencyFormat(locale, currency.toUpperCase()).format(amountMinor / 10 ** digits)
}

/** Platform fee: basis points of the total plus a fixed part, never more than the total. */
export function applicationFee(totalMinor: number, feeBps: number, fixedMinor: number): number {
  return Math.min(totalMinor, Math.floor((totalMinor * feeBps) / 10_000) + fixedMinor)
}
