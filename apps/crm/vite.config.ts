import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.CRM_API ?? "http://127.0.0.1:3000";

/** The CRM's web UI: sources in src/web, the production build in dist/web (served by the CRM server at /). */
export default defineConfig({
  root: resolve(import.meta.dirname, "src/web"),
  plugins: [react()],
  build: { outDir: resolve(import.meta.dirname, "dist/web"), emptyOutDir: true, chunkSizeWarningLimit: 900 },
  server: { proxy: { "/api": { target: api, changeOrigin: false }, "/auto": { target: api, changeOrigin: false } } },
});
