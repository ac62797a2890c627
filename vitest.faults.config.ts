import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// Longer fault and soak tests: `npm run test:faults` (the same install and private Redis as `npm test`).
// The base settings with only this folder (mergeConfig would append to include, not replace it).
export default defineConfig({ test: { ...base.test, include: ['test/faults/**/*.test.ts'], exclude: ['**/node_modules/**'] } });
