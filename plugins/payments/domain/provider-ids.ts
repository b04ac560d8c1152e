// Stripe fields that hold either an id or the expanded object carrying it (`payment_intent`, `charge`, ...).
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object' && typeof (value as any).id === 'string') return (value as any).id
  return null
}
