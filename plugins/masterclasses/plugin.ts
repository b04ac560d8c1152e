// The masterclasses plugin manifest: a per-tenant catalogue of live sessions, shown on the storefront
// ("Upcoming masterclasses" section, detail page) and in the dashboard (home widget, staff pages).
import { Type } from '@feathersjs/typebox'
import { definePlugin, STAFF_ROLES } from '@masterstage/core'
import { MASTERCLASSES_PATH } from './contract.ts'
import { masterclassSchema } from './models/masterclass-model.ts'
import { MasterclassService } from './services/masterclasses-service.ts'

const EDITORS = ['platform_admin', 'agency_admin', 'host'] as const

export default definePlugin({
  name: 'masterclasses',
  version: '0.1.0',
  description: 'Masterclass catalogue: upcoming live sessions with price and capacity',
  config: {
    settings: Type.Object(
      {
        sectionTitle: Type.String({
          minLength: 1,
          maxLength: 60,
          default: 'Upcoming masterclasses',
          title: 'Section title'
        }),
        maxListed: Type.Integer({
          minimum: 1,
          maximum: 24,
          default: 6,
          title: 'Masterclasses listed on the landing page'
        }),
        showPrices: Type.Boolean({ default: true, title: 'Show prices' })
      },
      { additionalProperties: false }
    )
  },
  models: [{ name: 'masterclass', schema: masterclassSchema }],
  services: [
    {
      path: MASTERCLASSES_PATH.slice('masterclasses/'.length),
      create: (ctx) => new MasterclassService(ctx.models.get('masterclass')),
      methods: ['find', 'get', 'create', 'patch', 'remove'],
      access: { find: 'public', get: 'public', create: EDITORS, patch: EDITORS, remove: EDITORS },
      realtime: ['tenant-staff']
    }
  ],
  ui: {
    storefront: {
      sections: [
        { id: 'upcoming-masterclasses', component: 'storefront/upcoming-section.svelte', order: 10 }
      ],
      pages: [
        { path: 'masterclasses/[id]', component: 'storefront/masterclass-page.svelte', title: 'Masterclass' }
      ],
      accountSlots: [
        { id: 'my-masterclasses', component: 'storefront/my-masterclasses.svelte', title: 'My masterclasses' }
      ]
    },
    dashboard: {
      nav: [{ label: 'Masterclasses', href: '/p/masterclasses', roles: STAFF_ROLES, icon: 'calendar' }],
      pages: [
        {
          path: 'masterclasses',
          component: 'dashboard/masterclasses-page.svelte',
          title: 'Masterclasses',
          roles: STAFF_ROLES
        }
      ],
      widgets: [
        {
          id: 'next-masterclasses',
          component: 'dashboard/next-masterclasses-widget.svelte',
          title: 'Next masterclasses',
          roles: STAFF_ROLES,
          order: 10
        }
      ]
    }
  }
})
