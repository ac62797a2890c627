/**
 * The naming rules `promtool check metrics` applies, checked on a Prometheus text exposition: counters
 * end in `_total` and nothing else does; names are snake_case; time is in seconds and sizes in bytes
 * (no `_ms`, `_milliseconds`, `_kb`…); every family has HELP and TYPE.
 */
export function lintExposition(text: string): string[] {
  const problems: string[] = [];
  const help = new Set<string>();
  for (const line of text.split('\n')) {
    const h = /^# HELP (\S+) /.exec(line);
    if (h) help.add(h[1]!);
    const t = /^# TYPE (\S+) (\w+)$/.exec(line);
    if (!t) continue;
    const [, name, type] = t as unknown as [string, string, string];
    if (!help.has(name)) problems.push(`${name}: no HELP`);
    if (!/^[a-z_:][a-z0-9_:]*$/.test(name)) problems.push(`${name}: not snake_case`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counter without _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: ${type} with _total suffix`);
    if (/_(ms|milliseconds|microseconds|minutes|hours|kb|mb|kilobytes|megabytes)(_|$)/.test(name)) problems.push(`${name}: not a base unit`);
  }
  return problems;
}
