/**
 * `GET /openapi.json` and Swagger UI at `/docs`. The UI's assets come from swagger-ui-dist in
 * node_modules (no CDN: the service must work air-gapped) and the UI loads the spec from
 * /openapi.json, so what people browse is exactly what clients are generated from.
 */
import type express from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '@ca/shared';
import { buildOpenApi } from './openapi.js';

export function mountDocs(app: express.Express, cfg: Config): void {
  // Built once: the contracts and the configuration it reflects do not change while the process runs.
  const doc = buildOpenApi(cfg);
  const body = JSON.stringify(doc);
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });

  const ui = {
    customSiteTitle: 'CustomerAssist API',
    swaggerOptions: {
      // Relative to /docs/, so the UI still finds the spec when the API sits under a path prefix.
      url: '../openapi.json',
      tryItOutEnabled: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      filter: true,
      // The default validator badge calls an external service; the UI must not phone out.
      validatorUrl: null,
    },
  };
  // The page links its assets relatively ("./swagger-ui.css"), which only resolves under "/docs/".
  app.use('/docs', (req, res, next) => {
    if (req.originalUrl === '/docs' || req.originalUrl.startsWith('/docs?')) {
      // Relative ("docs/" from "/docs"), so it also works under a path prefix.
      res.redirect(301, `docs/${req.originalUrl.slice(5)}`);
      return;
    }
    next();
  });
  app.use('/docs', swaggerUi.serveFiles(undefined, ui), swaggerUi.setup(undefined, ui));
}
