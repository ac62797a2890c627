export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (typeof body === 'string') {
    init.body = body;
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const r = await fetch(base + path, init);
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, headers: r.headers, body: parsed as T };
}

export const post = <T = any>(base: string, path: string, body?: unknown, headers?: Record<string, string>) => call<T>(base, 'POST', path, body, headers);
export const get = <T = any>(base: string, path: string, headers?: Record<string, string>) => call<T>(base, 'GET', path, undefined, headers);

/** Poll GET /jobs/{id} until it is finished. */
export async function pollJob(base: string, id: string, ms = 60_000, headers?: Record<string, string>): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await get(base, `/jobs/${id}`, headers);
    if (['completed', 'failed', 'cancelled'].includes(r.body?.status)) return r.body;
    if (Date.now() > end) throw new Error(`job ${id} not finished: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
