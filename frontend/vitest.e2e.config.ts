import { defineConfig } from 'vitest/config';

// End-to-end tests: a real Chromium (Debian's, through playwright-core) against a running
// `causeway up` whose address is CAUSEWAY_E2E_URL. See docs/frontend.md.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
