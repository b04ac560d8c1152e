// Mongoose schema of a catalogue entry. Tenant scoping (tenantId stamp, filter, leading index key) is
// added by core when the plugin's model is registered.
import { Schema } from 'mongoose'

export const masterclassSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 140 },
    description: { type: String, required: true, maxlength: 5000 },
    hostId: { type: String, required: true, match: /^[0-9a-f]{24}$/ },
    startTime: { type: Date, required: true },
    endTime: { type: Date, required: true },
    price: {
      amount: { type: Number, required: true, min: 0 },
      currency: { type: String, required: true, match: /^[A-Z]{3}$/ }
    },
    maxAttendees: { type: Number, required: true, min: 1, max: 100_000 }
  },
  { timestamps: true, versionKey: false }
)

// The storefront lists upcoming sessions of one tenant by start time.
masterclassSchema.index({ tenantId: 1, startTime: 1 })
