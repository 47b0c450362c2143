/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The UI is served by Tauri from `ui/dist` (see tauri.conf.json at the root).
export default defineConfig({
  // Relative asset URLs work under Tauri's custom protocol and from a file.
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ (Debian 12) and Android System WebView both handle ES2022.
    target: "es2022",
    // No source maps in the embedded assets: they only make the binary bigger.
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts"],
    restoreMocks: true,
  },
});
