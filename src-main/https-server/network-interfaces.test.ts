import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isLocalAddress, isWildcardAddress, lanIpv4Addresses, listLanCandidates, pickDefaultAddress, type NetworkInterfaceMap } from './network-interfaces.js';

function v4(address: string, prefix = 24): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: address.startsWith('127.'), cidr: `${address}/${prefix}` };
}
function v6(address: string): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/64`, scopeid: 0 };
}

const machine: NetworkInterfaceMap = {
  lo: [v4('127.0.0.1', 8), v6('::1')],
  eth0: [v4('169.254.10.2', 16), v6('fe80::1')],
  wlan0: [v4('192.168.1.20')],
  tun0: [v4('100.64.3.4', 10)],
};

describe('network interfaces', () => {
  it('lists IPv4 LAN candidates best first, loopback only on request', () => {
    expect(listLanCandidates(machine).map((c) => [c.interfaceName, c.address, c.kind])).toEqual([
      ['wlan0', '192.168.1.20', 'private'],
      ['tun0', '100.64.3.4', 'public'],
      ['eth0', '169.254.10.2', 'link-local'],
    ]);
    expect(listLanCandidates(machine, { includeLoopback: true }).at(-1)).toMatchObject({ address: '127.0.0.1', kind: 'loopback', cidr: '127.0.0.1/8' });
  });

  it('picks a private LAN address by default, never a wildcard', () => {
    expect(pickDefaultAddress(machine)).toBe('192.168.1.20');
    expect(pickDefaultAddress({ eth0: [v4('169.254.10.2', 16)] })).toBe('169.254.10.2');
    expect(pickDefaultAddress({ lo: [v4('127.0.0.1', 8)] })).toBeUndefined();
    expect(pickDefaultAddress({})).toBeUndefined();
  });

  it('gives the sorted unique LAN addresses for the certificate', () => {
    expect(lanIpv4Addresses(machine)).toEqual(['100.64.3.4', '169.254.10.2', '192.168.1.20']);
  });

  it('knows local and wildcard addresses', () => {
    expect(isLocalAddress(machine, '192.168.1.20')).toBe(true);
    expect(isLocalAddress(machine, '127.0.0.1')).toBe(true);
    expect(isLocalAddress(machine, '192.168.1.21')).toBe(false);
    expect(isWildcardAddress('0.0.0.0')).toBe(true);
    expect(isWildcardAddress('::')).toBe(true);
    expect(isWildcardAddress('127.0.0.1')).toBe(false);
  });
});
