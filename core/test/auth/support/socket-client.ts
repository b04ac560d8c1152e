// Test helper: the shared Socket.io test client and polling helpers, under the names auth tests use.
export { pause, waitFor } from '../../support/eventually.ts'
export { connectSocket, type TestSocket } from '../../support/socket-client.ts'
