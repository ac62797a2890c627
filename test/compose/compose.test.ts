/**
 * Deployment files: docker-compose.yml structure, the Prometheus config, the Dockerfile's workspace
 * coverage and .env.example completeness. `docker compose config` runs too where the compose plugin
 * exists (it needs no engine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema, loadConfig, REPO_ROOT } from '@ca/shared';
import { binOf } from '../helpers/bin.js';

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), 'utf8');
const DCLINT = binOf('dclint');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  profiles?: string[];
  volumes?: string[];
  ports?: string[];
}
// Compose files use YAML merge keys (<<) for the shared parts; docker compose resolves them too.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

describe('docker-compose.yml', () => {
  it('runs Redis with AOF, noeviction and a health check', () => {
    const redis = svc('redis');
    expect(redis.image).toMatch(/^redis:7/);
    const cmd = redis.command!.join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--appendfsync everysec');
    expect(cmd).toContain('--maxmemory-policy noeviction');
    expect(redis.healthcheck!.test.join(' ')).toContain('redis-cli ping');
    expect(redis.volumes!.some((v) => v.endsWith(':/data'))).toBe(true);
  });

  it('starts the API on 8010 once Redis is healthy', () => {
    const api = svc('api');
    expect(api.command!.join(' ')).toContain('apps/api/src/main.ts');
    expect(api.environment!.PORT).toBe('8010');
    expect(api.environment!.REDIS_URL).toBe('redis://redis:6379');
    expect(api.ports!.some((p) => p.endsWith(':8010'))).toBe(true);
    expect(api.depends_on!.redis!.condition).toBe('service_healthy');
  });

  it('runs two workers for all domains with the models volume', () => {
    const w = svc('worker');
    expect(w.command!.join(' ')).toContain('apps/worker/src/main.ts');
    expect(w.deploy!.replicas).toBe(2);
    expect(w.environment!.WORKER_DOMAINS!.split(',').sort()).toEqual(['audio', 'nlp', 'vision']);
    expect(w.environment!.WORKER_METRICS_PORT).toBe('9464');
    expect(w.volumes).toContain(`models:${w.environment!.MODELS_DIR}`);
    expect(w.depends_on!.redis!.condition).toBe('service_healthy');
    expect(compose.volumes).toHaveProperty('models');
  });

  it('has an audio-only worker under the split profile', () => {
    const w = svc('worker-audio');
    expect(w.profiles).toEqual(['split']);
    expect(w.environment!.WORKER_DOMAINS).toBe('audio');
    expect(w.volumes).toContain('models:/models');
  });

  it('has Prometheus under the monitoring profile, scraping the API and every worker', () => {
    const p = svc('prometheus');
    expect(p.profiles).toEqual(['monitoring']);
    expect(p.volumes!.some((v) => v.startsWith('./deploy/prometheus.yml:'))).toBe(true);
    const prom = parse(read('deploy/prometheus.yml')) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const targets = prom.scrape_configs.flatMap((c) => c.static_configs?.flatMap((s) => s.targets) ?? []);
    expect(targets).toContain('api:8010');
    const dns = prom.scrape_configs.flatMap((c) => c.dns_sd_configs ?? []);
    expect(dns.find((d) => d.names.includes('worker'))?.port).toBe(9464);
    expect(dns.find((d) => d.names.includes('worker-audio'))?.port).toBe(9464);
  });

  it('publishes ports on loopback only, unless BIND_ADDRESS says otherwise', () => {
    const published = Object.entries(compose.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.length).toBeGreaterThan(0);
    for (const [name, p] of published) expect(p, name).toMatch(/^\$\{BIND_ADDRESS:-127\.0\.0\.1\}:/);
  });

  it('is valid against the Compose Specification schema (dclint), which does catch a bad file', () => {
    const lint = (file: string) => spawnSync(process.execPath, [DCLINT, file], { cwd: REPO_ROOT, encoding: 'utf8' });
    const ok = lint('docker-compose.yml');
    expect(ok.status, `${ok.stdout}${ok.stderr}`).toBe(0);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ca-compose-'));
    const bad = path.join(dir, 'docker-compose.yml');
    writeFileSync(bad, read('docker-compose.yml').replace('  api:\n', '  api:\n    restart_policy_typo: always\n'));
    const refused = lint(bad);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toContain('invalid-schema');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('installs from every workspace package.json', () => {
    const pkgs = ['apps', 'packages'].flatMap((dir) =>
      readdirSync(path.join(REPO_ROOT, dir))
        .map((d) => `${dir}/${d}/package.json`)
        .filter((f) => existsSync(path.join(REPO_ROOT, f))),
    );
    for (const p of pkgs) expect(dockerfile, p).toContain(`COPY ${p} `);
    expect(dockerfile).toContain('pnpm install --offline --frozen-lockfile');
  });

  it('prefetches models only when asked, on the current LTS, as a non-root user with a health check', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['models:fetch']).toBeTruthy();
    expect(dockerfile).toMatch(/ARG PREFETCH_MODELS=false/);
    expect(dockerfile).toContain('pnpm models:fetch');
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:24-slim/);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^\nFROM \$\{NODE_IMAGE\} AS runtime/);
    expect(final).toMatch(/\nUSER (?!root)\w+/);
    expect(final).toMatch(/\nHEALTHCHECK .*scripts\/healthcheck\.mjs/);
    expect(existsSync(path.join(REPO_ROOT, 'scripts/healthcheck.mjs'))).toBe(true);
  });

  it('ships production dependencies only; what the processes import at run time is among them', () => {
    expect(dockerfile).toContain('pnpm install --offline --frozen-lockfile --prod');
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toContain('COPY --from=prod-deps');
    expect(final).not.toContain('COPY --from=deps ');
    // tsx runs the sources in the image (`node --import tsx` resolves it from the root): a runtime
    // dependency of the root package, not only a dev one.
    const root = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(root.dependencies.tsx).toBeTruthy();
    expect(root.devDependencies.tsx).toBeUndefined();
  });
});

describe('.env.example', () => {
  const text = read('.env.example');
  const entries = text
    .split('\n')
    .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);

  it('lists every configuration variable, each with a comment', () => {
    const listed = new Set(entries.map(([k]) => k));
    const missing = Object.keys(EnvSchema.shape).filter((k) => !listed.has(k));
    expect(missing).toEqual([]);
    const unknown = [...listed].filter((k) => !(k in EnvSchema.shape));
    expect(unknown).toEqual([]);
    const lines = text.split('\n');
    for (const [k] of entries) {
      const i = lines.findIndex((l) => l.startsWith(`${k}=`));
      // The variable's own comment, or (ADMIN_PASSWORD) the one it shares with the line above.
      expect(lines[i - 1]!.startsWith('#') || /^[A-Z_]+=/.test(lines[i - 1]!), k).toBe(true);
    }
  });

  it('shows values the config accepts, equal to the defaults', () => {
    const env = Object.fromEntries(entries);
    const fromExample = loadConfig(env);
    const defaults = loadConfig({});
    expect(fromExample).toEqual(defaults);
  });
});
