// What the sales metrics page charts: pure functions from the `pipeline/metrics` answer to chart specs (labels
// and series), kept out of the components so the figures each chart shows are unit-tested.
import type { DailySeries, FunnelFigures, PipelineMetrics } from '../contract.ts'
import type { ChartSpec } from './chart-spec.ts'

/** What the breakdown chart compares across the groups of the chosen dimension. */
export type BreakdownMeasure = 'leads' | 'won' | 'conversion' | `revenue:${string}`

const HOUR_MS = 3_600_000

export const groupLabel = (group: FunnelFigures) => group.key ?? '(none)'

/** Ratio 0..1 as a percentage with one decimal; null (no lead reached the earlier stage) stays a gap. */
export const asPercent = (ratio: number | null) => (ratio === null ? null : Math.round(ratio * 1000) / 10)

/** Minor units in major units, by the currency's own decimals (JPY has none, most have two). */
export const asMajor = (minor: number, currency: string) => {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  return minor / 10 ** digits
}

export const asHours = (ms: number) => Math.round((ms / HOUR_MS) * 100) / 100

/** Every currency with revenue in the totals or any group, sorted, so series keep their order. */
export function currenciesOf(metrics: PipelineMetrics): string[] {
  const all = new Set(Object.keys(metrics.totals.revenueMinor))
  for (const group of metrics.groups ?? [])
    for (const currency of Object.keys(group.revenueMinor)) all.add(currency)
  return [...all].sort()
}

/** Conversion per pair of consecutive stages: the whole period, then one series per group. */
export function conversionSpec(metrics: PipelineMetrics): ChartSpec {
  const steps = Object.keys(metrics.totals.conversion)
  const series = (label: string, figures: FunnelFigures) => ({
    label,
    data: steps.map((step) => asPercent(figures.conversion[step] ?? null))
  })
  return {
    type: 'bar',
    labels: steps,
    datasets: [
      series('Total', metrics.totals),
      ...(metrics.groups ?? []).map((group) => series(groupLabel(group), group))
    ],
    format: (value) => `${value}%`
  }
}

/** Net revenue of the period per group of the dimension (the total without one), one series per currency. */
export function revenueSpec(metrics: PipelineMetrics): ChartSpec {
  const rows = metrics.groups?.length ? metrics.groups : [metrics.totals]
  const labels = metrics.groups?.length ? rows.map(groupLabel) : ['Total']
  return {
    type: 'bar',
    labels,
    datasets: currenciesOf(metrics).map((currency) => ({
      label: currency.toUpperCase(),
      data: rows.map((row) => asMajor(row.revenueMinor[currency] ?? 0, currency))
    }))
  }
}

/** Average and median time in each stage left in the period, in hours. */
export function timeInStageSpec(metrics: PipelineMetrics): ChartSpec {
  return {
    type: 'bar',
    labels: metrics.timeInStage.map((stage) => stage.status),
    datasets: [
      { label: 'Average (h)', data: metrics.timeInStage.map((stage) => asHours(stage.avgMs)) },
      { label: 'Median (h)', data: metrics.timeInStage.map((stage) => asHours(stage.medianMs)) }
    ],
    format: (value) => `${value} h`
  }
}

export function breakdownMeasures(metrics: PipelineMetrics): { value: BreakdownMeasure; label: string }[] {
  return [
    { value: 'leads', label: 'New leads' },
    { value: 'won', label: 'Won' },
    { value: 'conversion', label: 'Conversion NEW → WON' },
    ...currenciesOf(metrics).map((currency) => ({
      value: `revenue:${currency}` as const,
      label: `Revenue (${currency.toUpperCase()})`
    }))
  ]
}

/** One measure compared across the groups of the chosen dimension (source, masterclass or rep). */
export function breakdownSpec(metrics: PipelineMetrics, measure: BreakdownMeasure): ChartSpec {
  const groups = metrics.groups ?? []
  const value = (group: FunnelFigures): number | null => {
    if (measure === 'leads') return group.reached.NEW
    if (measure === 'won') return group.reached.WON
    if (measure === 'conversion')
      return asPercent(group.reached.NEW ? group.reached.WON / group.reached.NEW : null)
    return asMajor(
      group.revenueMinor[measure.slice('revenue:'.length)] ?? 0,
      measure.slice('revenue:'.length)
    )
  }
  const label = breakdownMeasures(metrics).find((option) => option.value === measure)?.label ?? measure
  return {
    type: 'bar',
    labels: groups.map(groupLabel),
    datasets: [{ label, data: groups.map(value) }],
    ...(measure === 'conversion' && { format: (value: number) => `${value}%` })
  }
}

/** Net revenue per calendar day of the series' zone, one line per currency (refund days can dip below 0). */
export function dailyRevenueSpec(daily: DailySeries): ChartSpec {
  const currencies = [...new Set(daily.days.flatMap((day) => Object.keys(day.revenueMinor)))].sort()
  return {
    type: 'line',
    labels: daily.days.map((day) => day.day),
    datasets: currencies.map((currency) => ({
      label: currency.toUpperCase(),
      data: daily.days.map((day) => asMajor(day.revenueMinor[currency] ?? 0, currency))
    }))
  }
}

/** New leads per calendar day of the series' zone. */
export function dailyLeadsSpec(daily: DailySeries): ChartSpec {
  return {
    type: 'line',
    labels: daily.days.map((day) => day.day),
    datasets: [{ label: 'New leads', data: daily.days.map((day) => day.leads) }]
  }
}
