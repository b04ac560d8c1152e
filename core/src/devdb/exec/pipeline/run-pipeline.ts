// Runs aggregation stages: natively compiled where possible (see group-stage.ts, simple-stages.ts), one stage at
// a time in mingo otherwise. Native stages never modify their input, so stored documents are copied only
// before they reach a mingo stage (which may modify documents in place).
import type { Document } from 'bson'
import { cloneDocument } from '../../storage/bson-clone.ts'
import { NATIVE_FALLBACK } from './expression.ts'
import { compileGroup, type Stage } from './group-stage.ts'
import { compileSimpleStage } from './simple-stages.ts'
import { withFixedZonesAsOffsets } from './time-zones.ts'

export interface PipelineEngines {
  // The general engine for one stage (mingo with the command's options).
  general: (docs: Document[], stages: Document[]) => Document[]
  // A filter test for $match documents the native matcher leaves undecided.
  matcher: (filter: Document) => (doc: Document) => boolean
}

function compileStage(name: string, spec: unknown, engines: PipelineEngines): Stage | null {
  return name === '$group' ? compileGroup(spec) : compileSimpleStage(name, spec, engines.matcher)
}

// `shared`: the input holds stored documents (or parts of them) that must not be modified.
export function runStages(
  input: Document[],
  pipeline: Document[],
  engines: PipelineEngines,
  shared: boolean
): Document[] {
  let docs = input
  for (const stage of pipeline) {
    const [name] = Object.keys(stage)
    const spec = stage[name]
    if (name === '$facet' && isFacet(spec)) {
      const out: Document = {}
      for (const [field, sub] of Object.entries(spec)) out[field] = runStages(docs, sub, engines, shared)
      docs = [out]
      continue
    }
    const native = compileStage(name, spec, engines)
    if (native) {
      try {
        docs = native(docs)
        continue
      } catch (err) {
        if (err !== NATIVE_FALLBACK) throw err
      }
    }
    docs = engines.general(shared ? docs.map(cloneDocument) : docs, [withFixedZonesAsOffsets(stage)])
    shared = false
  }
  return docs
}

function isFacet(spec: unknown): spec is Record<string, Document[]> {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return false
  const entries = Object.entries(spec as Document)
  return entries.length > 0 && entries.every(([, sub]) => Array.isArray(sub))
}
