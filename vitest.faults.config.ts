import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

// Longer fault and soak tests: `npm run test:faults` (the same install and private Redis as `npm test`).
export default mergeConfig(base, defineConfig({ test: { include: ['test/faults/**/*.test.ts'] } }));
