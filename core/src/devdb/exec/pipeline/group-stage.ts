// $group compiled to closures: one pass over the input, one accumulator state per group, no per-document copies.
// Accumulators: $sum $avg $min $max $first $last $push $addToSet $count $median $percentile. Others make the
// compile return null so mingo runs the stage.
import { type Document, Long } from 'bson'
import { encodeKey } from '../../storage/key-encoding.ts'
import { compareAgg, compileExpression, type Expr, NATIVE_FALLBACK } from './expression.ts'
import { numericValue, percentileOf } from './percentile.ts'

interface Accumulator {
  init(): unknown
  add(state: unknown, doc: Document): unknown
  result(state: unknown): unknown
}

function isPlain(value: unknown): value is Document {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
}

// $sum: plain numbers in a double; Longs (64-bit values the wire kept as Long) in a BigInt so the total stays
// exact and comes back as a Long, as MongoDB's long arithmetic does. Decimal128 goes to the general engine.
interface SumState {
  num: number
  big: bigint | null
  fractional: boolean
}

function sumAccumulator(input: Expr): Accumulator {
  return {
    init: (): SumState => ({ num: 0, big: null, fractional: false }),
    add: (state, doc) => {
      const s = state as SumState
      const v = input(doc)
      if (typeof v === 'number') {
        s.num += v
        if (!Number.isInteger(v)) s.fractional = true
      } else if (v instanceof Long) s.big = (s.big ?? 0n) + v.toBigInt()
      else if (v !== null && typeof v === 'object' && numericValue(v) !== null) throw NATIVE_FALLBACK
      return s
    },
    result: (state) => {
      const { num, big, fractional } = state as SumState
      if (big === null) return num
      if (fractional) return num + Number(big)
      return Long.fromBigInt(big + BigInt(num))
    }
  }
}

function extremeAccumulator(input: Expr, sign: 1 | -1): Accumulator {
  return {
    init: () => undefined,
    add: (state, doc) => {
      const v = input(doc)
      if (v === undefined || v === null) return state
      return state === undefined || compareAgg(v, state) * sign > 0 ? v : state
    },
    result: (state) => (state === undefined ? null : state)
  }
}

function percentileAccumulator(input: Expr, ps: number[], single: boolean): Accumulator {
  return {
    init: () => [] as number[],
    add: (state, doc) => {
      const n = numericValue(input(doc))
      if (n !== null) (state as number[]).push(n)
      return state
    },
    result: (state) => {
      // A typed array sorts numerically and natively, far faster than a comparator on a plain array.
      const values = Float64Array.from(state as number[]).sort()
      const results = ps.map((p) => percentileOf(values, p))
      return single ? results[0] : results
    }
  }
}

function compileAccumulator(spec: unknown): Accumulator | null {
  if (!isPlain(spec)) return null
  const ops = Object.keys(spec)
  if (ops.length !== 1) return null
  const [op] = ops
  const arg = spec[op]
  if (op === '$count') {
    if (!isPlain(arg) || Object.keys(arg).length > 0) return null
    return { init: () => 0, add: (s) => (s as number) + 1, result: (s) => s }
  }
  if (op === '$median' || op === '$percentile') {
    if (!isPlain(arg)) return null
    const ps = op === '$median' ? [0.5] : arg.p
    if (!Array.isArray(ps) || !ps.every((p) => typeof p === 'number' && p >= 0 && p <= 1)) return null
    const input = compileExpression(arg.input)
    return input ? percentileAccumulator(input, ps as number[], op === '$median') : null
  }
  // Array arguments are the expression forms of these operators, not accumulators.
  if (Array.isArray(arg)) return null
  const input = compileExpression(arg)
  if (!input) return null
  switch (op) {
    case '$sum':
      return sumAccumulator(input)
    case '$avg':
      // MongoDB averages in double (Decimal128 inputs aside), so every numeric type is read as a number.
      return {
        init: () => [0, 0],
        add: (state, doc) => {
          const v = numericValue(input(doc))
          if (v === null) return state
          const s = state as number[]
          s[0] += v
          s[1]++
          return s
        },
        result: (state) =>
          (state as number[])[1] === 0 ? null : (state as number[])[0] / (state as number[])[1]
      }
    case '$min':
      return extremeAccumulator(input, -1)
    case '$max':
      return extremeAccumulator(input, 1)
    case '$first':
      return {
        init: () => undefined,
        add: (state, doc) => (state === undefined ? { v: input(doc) } : state),
        result: (state) => (state as { v: unknown } | undefined)?.v ?? null
      }
    case '$last':
      return {
        init: () => undefined,
        add: (_state, doc) => ({ v: input(doc) }),
        result: (state) => (state as { v: unknown } | undefined)?.v ?? null
      }
    case '$push':
      return {
        init: () => [] as unknown[],
        add: (state, doc) => {
          const v = input(doc)
          if (v !== undefined) (state as unknown[]).push(v)
          return state
        },
        result: (state) => state
      }
    case '$addToSet':
      return {
        init: () => new Map<string, unknown>(),
        add: (state, doc) => {
          const v = input(doc)
          if (v !== undefined) (state as Map<string, unknown>).set(encodeKey(v), v)
          return state
        },
        result: (state) => [...(state as Map<string, unknown>).values()]
      }
  }
  return null
}

export type Stage = (docs: Document[]) => Document[]

interface Group {
  id: unknown
  states: unknown[]
}

export function compileGroup(spec: unknown): Stage | null {
  if (!isPlain(spec) || !('_id' in spec)) return null
  const idExpr = compileExpression(spec._id)
  if (!idExpr) return null
  const fields: [string, Accumulator][] = []
  for (const [name, accSpec] of Object.entries(spec)) {
    if (name === '_id') continue
    if (name.includes('.') || name.startsWith('$')) return null
    const acc = compileAccumulator(accSpec)
    if (!acc) return null
    fields.push([name, acc])
  }
  return (docs) => {
    // String ids (the usual case) are looked up as they are, other values by their canonical key.
    const byString = new Map<string, Group>()
    const byKey = new Map<string, Group>()
    const groups: Group[] = []
    for (const doc of docs) {
      const id = idExpr(doc) ?? null
      const isString = typeof id === 'string'
      const key = isString ? id : encodeKey(id)
      let group = isString ? byString.get(key) : byKey.get(key)
      if (!group) {
        group = { id, states: fields.map(([, acc]) => acc.init()) }
        groups.push(group)
        if (isString) byString.set(key, group)
        else byKey.set(key, group)
      }
      const { states } = group
      for (let i = 0; i < fields.length; i++) states[i] = fields[i][1].add(states[i], doc)
    }
    const out: Document[] = []
    for (const { id, states } of groups) {
      const row: Document = { _id: id }
      for (let i = 0; i < fields.length; i++) row[fields[i][0]] = fields[i][1].result(states[i])
      out.push(row)
    }
    return out
  }
}
