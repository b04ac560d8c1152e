// The bench harness measures real servers through the load-generator process and refuses broken variants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareVariants, median } from '../lib/compare-variants.ts'
import { computeRatios } from '../lib/report.ts'
import { startBareHttp } from '../servers/bare-http.ts'
import { startBareKoa } from '../servers/bare-koa.ts'
import { startFeathersMemory } from '../servers/feathers-memory.ts'
import { oneKilobyteItem } from '../servers/item-store.ts'
import type { Listening } from '../servers/listening.ts'

const quick = { rounds: 2, warmupMs: 100, durationMs: 250, connections: 4 }

describe('bench harness', () => {
  let servers: Listening[]
  beforeAll(async () => {
    servers = await Promise.all([startBareHttp(), startBareKoa(), startFeathersMemory()])
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
  })

  it('every variant answers the same GET and POST workloads', async () => {
    for (const server of servers) {
      const got = await fetch(`${server.url}/items/7`)
      expect(got.status).toBe(200)
      expect(await got.json()).toMatchObject({ id: '7', title: 'Item 6' })
      const created = await fetch(`${server.url}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: oneKilobyteItem()
      })
      expect(created.status).toBe(201)
      expect(((await created.json()) as { description: string }).description).toHaveLength(1000)
    }
  })

  it('measures interleaved rounds and reports medians for each variant', async () => {
    const results = await compareVariants(
      servers.slice(0, 2).map((s, i) => ({
        key: 'ab'[i],
        label: `server ${i}`,
        load: { url: `${s.url}/items`, method: 'POST' as const, body: oneKilobyteItem(), expectStatus: 201 }
      })),
      quick
    )
    expect(results.map((r) => r.key)).toEqual(['a', 'b'])
    for (const r of results) {
      expect(r.rounds).toHaveLength(2)
      expect(r.medianRps).toBeGreaterThan(50)
      expect(r.rounds.every((round) => round.errors === 0 && round.requests > 0)).toBe(true)
    }
  })

  it('refuses to report a variant whose requests fail', async () => {
    await expect(
      compareVariants(
        [
          {
            key: 'x',
            label: 'missing route',
            load: { url: `${servers[1].url}/nope`, method: 'GET', expectStatus: 200 }
          }
        ],
        quick
      )
    ).rejects.toThrow(/missing route: \d+ failed requests \(first: status 404/)
  })

  it('computes ratios against the baseline and flags targets that are missed', () => {
    const outcomes = computeRatios(
      [
        { key: 'b', value: 1000 },
        { key: 'c', value: 800 }
      ],
      [{ numerator: 'c', denominator: 'b', target: 0.85 }]
    )
    expect(outcomes[0].ratio).toBeCloseTo(0.8)
    expect(outcomes[0].met).toBe(false)
    expect(median([5, 1, 3, 2])).toBe(2.5)
  })
})
