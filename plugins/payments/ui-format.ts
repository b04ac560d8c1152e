// Formatting shared by the plugin's Svelte components (money in minor units, dates).
export function money(amountMinor: number, currency: string): string {
  const code = currency.toUpperCase()
  const digits =
    new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits ?? 2
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).format(
    amountMinor / 10 ** digits
  )
}

export function day(value: string | Date | undefined | null): string {
  return value ? new Date(value).toISOString().slice(0, 10) : '-'
}

/** A status as people read it (`partially_refunded` → `partially refunded`). */
export function label(status: string): string {
  return status.replaceAll('_', ' ')
}

/** Digits of a currency's minor unit (2 for USD, 0 for JPY): parsing typed amounts into minor units. */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2
  )
}
