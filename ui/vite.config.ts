// Builds the dashboard for `/ui/` (see src/api/ui-static.ts). Preact's JSX through Vite's own
// transform: no plugin, nothing but preact in the bundle.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the same build works at /ui/ and behind a proxy under any path.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The size test and the build script report compressed sizes themselves.
    reportCompressedSize: false,
    // One file per asset type is small enough; inline nothing (the CSP forbids inline styles).
    assetsInlineLimit: 0,
    // One entry chunk, nothing to preload: leave the polyfill out.
    modulePreload: { polyfill: false },
  },
});
