import express from 'express';
import type { AppDeps } from './context.js';
import { apiKeyAuth } from './middleware/auth.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { requestId } from './middleware/request-id.js';
import { jobRoutes } from './routes/jobs.js';
import { opsRoutes } from './routes/ops.js';
import { taskRoutes } from './routes/tasks.js';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.cfg.TRUST_PROXY);
  app.use(requestId);
  app.use(deps.metrics.middleware);

  // Ops endpoints: no auth, no rate limit.
  app.use(opsRoutes(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use(express.json({ limit: deps.cfg.MAX_JSON_BYTES, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(apiKeyAuth(deps.cfg.API_KEYS));
  app.use(taskRoutes(deps));
  app.use(jobRoutes(deps));
  app.use(notFound);
  app.use(errorHandler(deps));
  return app;
}
