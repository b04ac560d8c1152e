// Decodes Stripe's form encoding (`a[b][0][c]=1`) into nested objects, as the real API reads it.
export function decodeStripeForm(body: string): Record<string, any> {
  const root: Record<string, any> = {}
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const keys = rawKey.replace(/\]/g, '').split('[')
    let node: any = root
    keys.forEach((key, index) => {
      const last = index === keys.length - 1
      if (last) node[key] = value
      else {
        node[key] ??= /^\d+$/.test(keys[index + 1]) ? [] : {}
        node = node[key]
      }
    })
  }
  return root
}
