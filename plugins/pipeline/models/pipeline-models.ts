// The plugin's models as one typed bundle, registered by the manifest and handed to services/subscribers.
import type { Model } from 'mongoose'
import { LEAD_HISTORY_MODEL } from './lead-history-model.ts'
import { LEAD_MODEL } from './lead-model.ts'
import { METRICS_ROLLUP_MODEL } from './metrics-rollup-model.ts'
import { REVENUE_ENTRY_MODEL } from './revenue-entry-model.ts'

export interface PipelineModels {
  Lead: Model<any>
  History: Model<any>
  Revenue: Model<any>
  Rollup: Model<any>
}

export function pipelineModels(models: { get<T = any>(name: string): Model<T> }): PipelineModels {
  return {
    Lead: models.get(LEAD_MODEL),
    History: models.get(LEAD_HISTORY_MODEL),
    Revenue: models.get(REVENUE_ENTRY_MODEL),
    Rollup: models.get(METRICS_ROLLUP_MODEL)
  }
}
