// Public types of the masterclasses plugin: the catalogue entry as clients see it and its service path.
// Other plugins and the web apps import this file type-only.
import type { MasterclassService } from './services/masterclasses-service.ts'

export const MASTERCLASSES_PATH = 'masterclasses/masterclasses' as const

export interface MasterclassPrice {
  /** Minor units (cents): integers keep money exact. */
  amount: number
  /** ISO 4217, upper case. */
  currency: string
}

export interface Masterclass {
  _id: string
  tenantId: string
  title: string
  description: string
  hostId: string
  startTime: string
  endTime: string
  price: MasterclassPrice
  maxAttendees: number
  createdAt: string
  updatedAt: string
}

export type MasterclassInput = Omit<Masterclass, '_id' | 'tenantId' | 'createdAt' | 'updatedAt'>

declare module '@masterstage/core' {
  interface ServiceTypes {
    [MASTERCLASSES_PATH]: MasterclassService
  }
}
