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
