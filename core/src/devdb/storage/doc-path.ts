// Reads dotted paths from documents the way index builders do: arrays along the path fan out (multikey).
import type { Document } from 'bson'

export function pathValues(doc: unknown, path: string): unknown[] {
  return collect(doc, path.split('.'), 0)
}

function collect(value: unknown, parts: string[], i: number): unknown[] {
  if (i === parts.length) {
    if (Array.isArray(value)) return value.length === 0 ? [undefined] : value
    return [value]
  }
  if (value === null || typeof value !== 'object') return [undefined]
  if (Array.isArray(value)) {
    const part = parts[i]
    if (/^\d+$/.test(part)) return collect(value[Number(part)], parts, i + 1)
    const out: unknown[] = []
    for (const element of value) out.push(...collect(element, parts, i))
    return out.length === 0 ? [undefined] : out
  }
  return collect((value as Document)[parts[i]], parts, i + 1)
}

// The first value at a path without fan-out, for building E11000 keyValue documents.
export function firstValue(doc: unknown, path: string): unknown {
  const values = pathValues(doc, path)
  return values[0] === undefined ? null : values[0]
}
