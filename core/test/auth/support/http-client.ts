// Test helper: the shared HTTP test client (core/test/support/http-client.ts), under the names auth tests use.
export { api, type HttpOptions, type HttpResponse, http } from '../../support/http-client.ts'
