// Vite config of the dashboard (port 3001 by default).
import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [sveltekit()],
  server: { port: 3001, strictPort: false, host: '0.0.0.0', allowedHosts: true, fs: { allow: ['..'] } },
  logLevel: 'warn'
})
