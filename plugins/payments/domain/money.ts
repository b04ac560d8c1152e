// Money in minor units: formatting for documents and emails, and the platform fee computation.

/** Digits after the decimal point for a currency (0 for JPY, 2 for USD, 3 for KWD). */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2
  )
}

export function formatMoney(amountMinor: number, currency: string, locale = 'en-US'): string {
  const digits = minorDigits(currency)
  return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(
    amountMinor / 10 ** digits
  )
}

/** Platform fee: basis points of the total plus a fixed part, never more than the total. */
export function applicationFee(totalMinor: number, feeBps: number, fixedMinor: number): number {
  return Math.min(totalMinor, Math.floor((totalMinor * feeBps) / 10_000) + fixedMinor)
}
