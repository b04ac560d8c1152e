// Vite config of the storefront (port 3000 by default).
import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [sveltekit()],
  // The dev server (npm start) serves this machine only: it can read files of the repo (fs.allow '..' for the
  // workspace packages), so neither other machines nor DNS-rebinding hosts may reach it, and the local data folder
  // (dev secrets, the email outbox with sign-in links) is never served.
  server: {
    port: 3000,
    strictPort: false,
    host: '127.0.0.1',
    allowedHosts: ['.localhost', '.example'],
    fs: { allow: ['..'], deny: ['.env', '.env.*', '*.{crt,pem,key}', '**/.git/**', '**/.data/**'] }
  },
  logLevel: 'warn'
})
