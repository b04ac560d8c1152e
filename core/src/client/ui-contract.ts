// The contract between the web apps and plugin UI components (declared in a manifest's `ui`): which props
// a component gets and the optional server-side `load` it may export from `<script module>`.
import type { Role } from '../auth/roles.ts'
import type { MasterstageClient } from './types.ts'

/** The tenant as the storefront and dashboard show it (public fields only). */
export interface UiTenant {
  id: string
  slug: string
  name: string
  enabledPlugins: readonly string[]
}

export interface UiUser {
  _id: string
  email: string
  role: Role
}

/**
 * Where a storefront visitor came from, decided and sanitized by the storefront (plugins never get raw
 * headers or cookies): the attribution its first-party cookie keeps, or this visit's touch when it now
 * replaces it (first touch, replaced by a later campaign; storefront/src/lib/server/attribution). Values are
 * trimmed and capped (UTM 100, referrer 500 characters; attribution-rules.ts).
 */
export interface UiAttribution {
  utmSource?: string
  utmMedium?: string
  utmCampaign?: string
  /** Origin + path of the external page that sent the visitor; never a query string. */
  referrer?: string
}

/** Passed to a contribution's `load` on the server (SSR); `client` carries tenant and user token. */
export interface UiLoadContext {
  client: MasterstageClient
  tenant: UiTenant
  user?: UiUser
  /** Route parameters of a contributed page (`masterclasses/[id]` → { id }). */
  params: Record<string, string>
  url: URL
}

/** What a storefront section's form `action` answers: a redirect (success) or what to show in the form. */
export interface UiSectionActionResult {
  /** HTTP status: 3xx with `redirect`, or the failure status (400, 429, ...). */
  status: number
  /** Same-site path to go to after success (e.g. a confirmation page). */
  redirect?: string
  /** Anything else (field errors, typed values) is handed back to the component as its `form` prop. */
  [key: string]: unknown
}

/** Context of a section's form `action`: the load context plus the posted form. */
export interface UiSectionActionContext extends UiLoadContext {
  form: FormData
}

/** What a contribution module may export beside its default component. */
export interface UiContributionModule {
  default: unknown
  /**
   * Server-side data for the component; throwing a 404 ApiError renders the app's not-found page. A
   * storefront landing section's data is shared by anonymous visitors for a short burst, so it must not
   * depend on the visitor (the visit's source comes as the `source` prop instead, and the URL has no source
   * tags). Data with `partial: true` (a call failed and the load fell back, e.g. to an empty list) is shown
   * to that visitor but never cached for others.
   */
  load?: (context: UiLoadContext) => Promise<unknown>
  /**
   * Storefront landing sections: handles the section's plain HTML form (works without JavaScript). The
   * form posts to `?/<plugin>-<name>`; the storefront routes it to the one section of that plugin that
   * exports `action`, and passes the result back to the component as `form`.
   */
  action?: (context: UiSectionActionContext) => Promise<UiSectionActionResult>
}

/** Props every contributed component receives. `realtime` exists only in the browser (dashboard). */
export interface UiComponentProps<Data = unknown> {
  data: Data
  tenant: UiTenant
  user?: UiUser
  /** Base path of the app's plugin pages, for links (storefront: '', dashboard: '/p'). */
  basePath: string
  /** Storefront sections with an `action`: its last result, after the form was posted. */
  form?: UiSectionActionResult
  /**
   * Storefront landing sections: where this visit came from, exactly the request's attribution decision
   * (what the cookie keeps or now stores, without its time), so a lead's source and the cookie agree;
   * per request and never cached, so a form can carry it in hidden fields rendered on the server; empty
   * when nothing is recorded, absent elsewhere.
   */
  source?: UiAttribution
  realtime?: MasterstageClient
}
