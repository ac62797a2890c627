/**
 * Where a webhook may go. Only http(s) URLs without credentials, and only to public addresses: the
 * host is resolved and every address it resolves to must be outside the private, loopback, link-local,
 * unique-local, multicast, reserved and metadata ranges (IPv4-mapped and NAT64 IPv6 forms are judged by
 * the IPv4 address inside), unless its host or address is listed in WEBHOOK_ALLOW_PRIVATE. The address
 * checked is the one connected to (deliver.ts pins it), so a DNS answer that changes between the check
 * and the connection cannot point the request inside.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { AppError } from '@ca/shared';

const BLOCKED = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(net4, bits, 'ipv4');
for (const [net6, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['fd00:ec2::254', 128], // AWS metadata over IPv6
] as const)
  BLOCKED.addSubnet(net6, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedV4(ip: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

export function isPublicAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return !BLOCKED.check(ip, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(ip.toLowerCase());
    return v4 ? isPublicAddress(v4) : !BLOCKED.check(ip, 'ipv6');
  }
  return false;
}

/** WEBHOOK_ALLOW_PRIVATE: host names, addresses and CIDRs that may be private (for development). */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly nets = new net.BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const e = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (!e) continue;
      const [addr, bits] = e.split('/');
      const family = net.isIP(addr!);
      if (family && bits !== undefined) this.nets.addSubnet(addr!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else if (family) this.nets.addAddress(addr!, family === 4 ? 'ipv4' : 'ipv6');
      else this.hosts.add(e);
    }
  }

  allows(host: string, ip: string): boolean {
    if (this.hosts.has(host.toLowerCase())) return true;
    const family = net.isIP(ip);
    return family !== 0 && this.nets.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }
}

export interface Target {
  url: URL;
  /** The checked address to connect to. */
  address: string;
  family: 4 | 6;
}

const refused = (reason: string) => new AppError(422, 'webhook_refused', `the webhook URL is refused: ${reason}`, { details: { reason } });

/** Check a webhook URL and resolve it to an address it may be delivered to (or throw 422 webhook_refused). */
export async function resolveTarget(raw: string, allow: AllowList): Promise<Target> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused('only http and https URLs are delivered to');
  if (url.username || url.password) throw refused('credentials in the URL are not accepted');
  // The WHATWG parser has already turned decimal, octal and hex IPv4 forms into dotted quads.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw refused('the host name does not resolve');
    }
  }
  if (!addresses.length) throw refused('the host name does not resolve');
  // Every address must pass: a name that resolves to a public and a private address is refused.
  for (const a of addresses) {
    if (!isPublicAddress(a.address) && !allow.allows(host, a.address)) throw refused('it points to a private, loopback, link-local or reserved address');
  }
  return { url, address: addresses[0]!.address, family: addresses[0]!.family === 6 ? 6 : 4 };
}
