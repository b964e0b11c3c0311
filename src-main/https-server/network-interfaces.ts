import type { NetworkInterfaceInfo } from 'node:os';

/** Shape of os.networkInterfaces(); injected so tests can describe any machine. */
export type NetworkInterfaceMap = NodeJS.Dict<NetworkInterfaceInfo[]>;
export type NetworkInterfaceLister = () => NetworkInterfaceMap;

export interface LanCandidate {
  interfaceName: string;
  address: string;
  /** e.g. "192.168.1.20/24" */
  cidr: string;
  kind: 'private' | 'public' | 'link-local' | 'loopback';
}

const KIND_RANK: Record<LanCandidate['kind'], number> = { private: 0, public: 1, 'link-local': 2, loopback: 3 };

/** IPv4 addresses a board could reach, best first (private LAN, other, link-local, loopback). */
export function listLanCandidates(interfaces: NetworkInterfaceMap, options: { includeLoopback?: boolean } = {}): LanCandidate[] {
  const candidates: LanCandidate[] = [];
  for (const [interfaceName, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4') continue;
      const kind = classifyIpv4(info.address);
      if (kind === undefined) continue;
      if (kind === 'loopback' && !options.includeLoopback) continue;
      candidates.push({ interfaceName, address: info.address, cidr: info.cidr ?? info.address, kind });
    }
  }
  return candidates.sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind]);
}

/**
 * The address to bind when the user has not chosen one: the first private LAN
 * address, else any other non-loopback one; undefined when the machine has no
 * LAN address (the caller must then ask, never fall back to 0.0.0.0).
 */
export function pickDefaultAddress(interfaces: NetworkInterfaceMap): string | undefined {
  return listLanCandidates(interfaces).find((c) => c.kind !== 'link-local')?.address ?? listLanCandidates(interfaces)[0]?.address;
}

/** Every IPv4 address of this machine except loopback: what the server certificate names. */
export function lanIpv4Addresses(interfaces: NetworkInterfaceMap): string[] {
  return [...new Set(listLanCandidates(interfaces).map((c) => c.address))].sort();
}

/** True when `address` belongs to one of the machine's interfaces (loopback included). */
export function isLocalAddress(interfaces: NetworkInterfaceMap, address: string): boolean {
  return Object.values(interfaces).some((infos) => (infos ?? []).some((info) => info.address === address));
}

export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '' || address === '[::]';
}

function classifyIpv4(address: string): LanCandidate['kind'] | undefined {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  const [a, b] = octets as [number, number, number, number];
  if (a === 127) return 'loopback';
  if (a === 0 || a >= 224) return undefined;
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  return 'public';
}
