// What a pipeline chart draws (labels, series, how values read), independent of chart.js's own config.

export interface ChartSeries {
  label: string
  data: (number | null)[]
}

export interface ChartSpec {
  type: 'bar' | 'line'
  labels: string[]
  datasets: ChartSeries[]
  /** Horizontal bars (the funnel). */
  horizontal?: boolean
  /** Formats axis ticks and tooltip values (percent, hours, money). */
  format?: (value: number) => string
  /** Extra tooltip line for one point, e.g. the conversion from the previous funnel stage. */
  afterLabel?: (dataIndex: number, datasetIndex: number) => string
}
