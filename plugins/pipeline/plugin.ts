// The pipeline plugin's manifest: public registration, the lead tracker (transition table, history,
// event subscribers), the board, sales metrics and CSV export, with their dashboard and storefront UI.

import { Type } from '@feathersjs/typebox'
import { currentScope, definePlugin, type PluginContext, type Role } from '@masterstage/core'
import { CONSUMED_EVENTS, PIPELINE_PLUGIN, PipelineServicePath } from './contract.ts'
import {
  type RegistrationFollowUpData,
  runRegistrationFollowUp,
  sweepUnannounced
} from './jobs/registration-follow-up.ts'
import { LEAD_HISTORY_MODEL, leadHistorySchema } from './models/lead-history-model.ts'
import { LEAD_MODEL, leadSchema } from './models/lead-model.ts'
import { METRICS_ROLLUP_MODEL, metricsRollupSchema } from './models/metrics-rollup-model.ts'
import { REVENUE_ENTRY_MODEL, revenueEntrySchema } from './models/revenue-entry-model.ts'
import { csvDownloadHeaders } from './services/export-service.ts'
import { pipelineRuntime } from './services/pipeline-runtime.ts'
import { registrationRateLimits } from './services/registration-limits.ts'
import { REGISTRATION_FOLLOW_UP_JOB } from './services/registration-service.ts'
import { REBUILD_ROLLUPS_JOB, rebuildRollups } from './services/rollup-rebuild.ts'

const STAFF: readonly Role[] = ['platform_admin', 'agency_admin', 'host', 'sales_rep']
const MANAGERS: readonly Role[] = ['platform_admin', 'agency_admin', 'host']

export default definePlugin({
  name: PIPELINE_PLUGIN,
  version: '0.1.0',
  description: 'Registration, lead tracker, pipeline board, sales metrics and CSV export',
  // A registration is for a masterclass of the tenant's catalogue (read through that plugin's service).
  dependsOn: ['masterclasses'],
  config: {
    settings: Type.Object({
      registrationLimits: Type.Optional(
        Type.Object({
          perIpPerMinute: Type.Integer({ minimum: 1, maximum: 100_000, default: 10 }),
          perTenantPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 600 })
        })
      )
    })
  },
  models: [
    { name: LEAD_MODEL, schema: leadSchema },
    { name: LEAD_HISTORY_MODEL, schema: leadHistorySchema },
    { name: REVENUE_ENTRY_MODEL, schema: revenueEntrySchema },
    { name: METRICS_ROLLUP_MODEL, schema: metricsRollupSchema }
  ],
  services: [
    {
      path: 'registrations',
      create: (ctx: PluginContext) => pipelineRuntime(ctx).registrations,
      methods: ['create'],
      access: { create: 'public' }
    },
    {
      path: 'leads',
      create: (ctx: PluginContext) => pipelineRuntime(ctx).leads,
      methods: ['find', 'get', 'patch', 'move'],
      access: { find: STAFF, get: STAFF, patch: STAFF, move: STAFF },
      realtime: ['tenant-staff']
    },
    {
      path: 'board',
      create: (ctx: PluginContext) => pipelineRuntime(ctx).board,
      methods: ['find'],
      access: { find: STAFF }
    },
    {
      path: 'metrics',
      create: (ctx: PluginContext) => pipelineRuntime(ctx).metrics,
      methods: ['find'],
      access: { find: STAFF }
    },
    {
      path: 'export',
      create: (ctx: PluginContext) => pipelineRuntime(ctx).export,
      methods: ['find'],
      access: { find: MANAGERS.concat(['sales_rep']) },
      hooks: { after: { find: [csvDownloadHeaders] } }
    }
  ],
  // Handler names default to `pipeline.<event>`: stable, they key exactly-once delivery.
  subscribers: CONSUMED_EVENTS.map((event) => ({
    event: event as any,
    handle: (domainEvent: any, ctx: PluginContext) => pipelineRuntime(ctx).handlers[event](domainEvent)
  })),
  jobs: [
    {
      name: REGISTRATION_FOLLOW_UP_JOB,
      attempts: 5,
      backoffMs: 2000,
      handle: async (data: RegistrationFollowUpData, ctx) => {
        const tenantId = currentScope()?.tenantId
        if (!tenantId) return
        await runRegistrationFollowUp(ctx.app, pipelineRuntime(ctx).models, tenantId, data)
      }
    },
    {
      // Queued per tenant by an operator or after an import (the CLI in scripts/ does the same in the
      // foreground): recomputes the tenant's metrics rollups, logging each phase's progress.
      name: REBUILD_ROLLUPS_JOB,
      attempts: 1,
      handle: async (_data: unknown, ctx) => {
        const result = await rebuildRollups(pipelineRuntime(ctx).models, (progress) => {
          if (progress.done === progress.total || progress.done % 100_000 === 0)
            ctx.logger.info(progress, 'metrics rollups rebuild progress')
        })
        ctx.logger.info(result, 'metrics rollups rebuilt')
      }
    },
    {
      name: 'announce-sweep',
      repeat: { cron: '* * * * *', perTenant: true },
      handle: async (_data: unknown, ctx) => {
        await sweepUnannounced(pipelineRuntime(ctx).models, (data, jobId) =>
          ctx.jobs.enqueue(REGISTRATION_FOLLOW_UP_JOB, data, { jobId })
        )
      }
    }
  ],
  ui: {
    dashboard: {
      nav: [{ label: 'Pipeline', href: '/p/pipeline', roles: STAFF, icon: 'kanban' }],
      pages: [
        {
          path: 'pipeline',
          component: 'dashboard/pipeline-board-page.svelte',
          title: 'Pipeline',
          roles: STAFF
        },
        {
          path: 'pipeline/metrics',
          component: 'dashboard/sales-metrics-page.svelte',
          title: 'Sales metrics',
          roles: STAFF
        }
      ],
      widgets: [
        {
          id: 'pipeline-funnel',
          component: 'dashboard/funnel-widget.svelte',
          title: 'Funnel',
          roles: STAFF,
          order: 10
        }
      ]
    },
    storefront: {
      sections: [{ id: 'registration-form', component: 'storefront/registration-form.svelte', order: 50 }],
      pages: [
        {
          path: 'registered',
          component: 'storefront/registration-confirmation.svelte',
          title: 'You are registered'
        }
      ]
    }
  },
  setup(ctx) {
    // Hooks that need the plugin's context (tenant settings) are attached here, after registration.
    ;(ctx.app.service(PipelineServicePath.registrations as any) as any).hooks({
      around: { create: [registrationRateLimits(ctx)] }
    })
  }
})
