import { defineConfig } from "vite";

// Static files only: the gateway serves dist/ at /. No inline scripts or styles (the page's CSP
// allows only this origin's files), and no module-preload polyfill injected into the HTML.
export default defineConfig({
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
