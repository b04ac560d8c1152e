// MongoDB's duplicate key error (11000): on the error itself, or on the first write error of a bulk write
// (insertMany with one document reports it there).
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: number; writeErrors?: { code?: number }[] } | null
  return e?.code === 11000 || e?.writeErrors?.[0]?.code === 11000
}
