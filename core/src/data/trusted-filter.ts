// Marks a filter built by server code as trusted. The app's connection runs with sanitizeFilter, which
// turns any operator object in a filter into a literal `$eq` match (blocking `{ email: { $ne: null } }`
// injections from client values); server code's own operators must be wrapped: trusted({ $in: ids }).
import mongoose from 'mongoose'

export function trusted<T extends object>(operators: T): T {
  return mongoose.trusted(operators) as T
}
