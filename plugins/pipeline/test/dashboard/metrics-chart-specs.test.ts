// The sales metrics charts show the metrics answer's figures: conversion per stage pair, revenue per group and
// currency, time in stage in hours, and the breakdown measures per group.
import { describe, expect, it } from 'vitest'
import type { DailySeries, FunnelFigures, PipelineMetrics } from '../../contract.ts'
import {
  breakdownMeasures,
  breakdownSpec,
  conversionSpec,
  dailyLeadsSpec,
  dailyRevenueSpec,
  revenueSpec,
  timeInStageSpec
} from '../../dashboard/metrics-chart-specs.ts'

const STEPS = ['NEW->INVOICED', 'INVOICED->PAID', 'PAID->ATTENDED', 'ATTENDED->SCHEDULED', 'SCHEDULED->WON']

function figures(key: string | null, reached: number[], revenueMinor: Record<string, number>): FunnelFigures {
  const [NEW, INVOICED, PAID, ATTENDED, SCHEDULED, WON] = reached
  const conversion: Record<string, number | null> = {}
  STEPS.forEach((step, i) => {
    conversion[step] = reached[i] === 0 ? null : reached[i + 1] / reached[i]
  })
  return {
    key,
    reached: { NEW, INVOICED, PAID, ATTENDED, SCHEDULED, WON },
    lost: 0,
    conversion,
    revenueMinor
  }
}

const metrics: PipelineMetrics = {
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
  totals: figures(null, [8, 4, 3, 3, 1, 1], { eur: 45_000, usd: 1_999 }),
  groups: [
    figures('instagram', [5, 3, 3, 3, 1, 1], { eur: 45_000 }),
    figures(null, [3, 1, 0, 0, 0, 0], { usd: 1_999 })
  ],
  dimension: 'source',
  timeInStage: [
    { status: 'NEW', count: 4, avgMs: 5_400_000, medianMs: 3_600_000 },
    { status: 'INVOICED', count: 1, avgMs: 90_000_000, medianMs: 90_000_000 }
  ],
  medianMethod: 'exact',
  byStatus: { NEW: 4, INVOICED: 1, PAID: 0, ATTENDED: 2, SCHEDULED: 0, WON: 1, LOST: 0 }
}

describe('sales metrics chart specs', () => {
  it('charts conversion per consecutive stage pair, total then one series per group, in percent', () => {
    const spec = conversionSpec(metrics)
    expect(spec.labels).toEqual(STEPS)
    expect(spec.datasets).toEqual([
      { label: 'Total', data: [50, 75, 100, 33.3, 100] },
      { label: 'instagram', data: [60, 100, 100, 33.3, 100] },
      { label: '(none)', data: [33.3, 0, null, null, null] }
    ])
  })

  it('charts revenue per group in major units, one series per currency (zero where none)', () => {
    expect(revenueSpec(metrics)).toMatchObject({
      labels: ['instagram', '(none)'],
      datasets: [
        { label: 'EUR', data: [450, 0] },
        { label: 'USD', data: [0, 19.99] }
      ]
    })
    // Without groups the one bar is the period's total.
    expect(revenueSpec({ ...metrics, groups: undefined })).toMatchObject({
      labels: ['Total'],
      datasets: [
        { label: 'EUR', data: [450] },
        { label: 'USD', data: [19.99] }
      ]
    })
  })

  it('charts average and median time in stage in hours', () => {
    expect(timeInStageSpec(metrics)).toMatchObject({
      labels: ['NEW', 'INVOICED'],
      datasets: [
        { label: 'Average (h)', data: [1.5, 25] },
        { label: 'Median (h)', data: [1, 25] }
      ]
    })
  })

  it('compares one chosen measure across the groups', () => {
    expect(breakdownMeasures(metrics).map((option) => option.value)).toEqual([
      'leads',
      'won',
      'conversion',
      'revenue:eur',
      'revenue:usd'
    ])
    expect(breakdownSpec(metrics, 'leads').datasets).toEqual([{ label: 'New leads', data: [5, 3] }])
    expect(breakdownSpec(metrics, 'won').datasets).toEqual([{ label: 'Won', data: [1, 0] }])
    expect(breakdownSpec(metrics, 'conversion').datasets).toEqual([
      { label: 'Conversion NEW → WON', data: [20, 0] }
    ])
    expect(breakdownSpec(metrics, 'revenue:usd')).toMatchObject({
      labels: ['instagram', '(none)'],
      datasets: [{ label: 'Revenue (USD)', data: [0, 19.99] }]
    })
  })
})

describe('per-day charts', () => {
  const daily: DailySeries = {
    timeZone: 'Europe/Lisbon',
    days: [
      { day: '2026-11-01', leads: 2, revenueMinor: { eur: 10_000, usd: 0 } },
      { day: '2026-11-02', leads: 0, revenueMinor: { eur: -2_500, usd: 1_999 } },
      { day: '2026-11-03', leads: 1, revenueMinor: { eur: 0, usd: 0 } }
    ]
  }

  it('draws net revenue per day as one line per currency, in major units', () => {
    const spec = dailyRevenueSpec(daily)
    expect(spec.type).toBe('line')
    expect(spec.labels).toEqual(['2026-11-01', '2026-11-02', '2026-11-03'])
    expect(spec.datasets).toEqual([
      { label: 'EUR', data: [100, -25, 0] },
      { label: 'USD', data: [0, 19.99, 0] }
    ])
  })

  it('draws new leads per day', () => {
    expect(dailyLeadsSpec(daily)).toEqual({
      type: 'line',
      labels: ['2026-11-01', '2026-11-02', '2026-11-03'],
      datasets: [{ label: 'New leads', data: [2, 0, 1] }]
    })
  })
})
