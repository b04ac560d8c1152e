// Vite config of the storefront (port 3000 by default).
import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [sveltekit()],
  server: { port: 3000, strictPort: false, host: '0.0.0.0', allowedHosts: true, fs: { allow: ['..'] } },
  logLevel: 'warn'
})
