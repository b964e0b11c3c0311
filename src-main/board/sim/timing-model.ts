/**
 * The simulated board's timing model, on top of the serial wire time (baudRate) and the SPI flash
 * times (NorTimings): what a real board spends on the network. docs/simulator.md gives the
 * sources and assumptions behind the realistic values.
 */
export interface NetworkTimings {
  /** Scanning and joining the access point (WPA2 4-way handshake included). */
  wifiAssociationMs: number;
  /** From association to the DHCP lease. */
  dhcpMs: number;
  /** One TLS 1.2 handshake made by the module (RSA-2048 server). */
  tlsHandshakeMs: number;
  /** The WINC firmware start after a reset (efuse, boot ROM, firmware init). */
  wincStartMs: number;
}

export const FAST_NETWORK_TIMINGS: NetworkTimings = { wifiAssociationMs: 0, dhcpMs: 0, tlsHandshakeMs: 0, wincStartMs: 0 };

export const REALISTIC_NETWORK_TIMINGS: NetworkTimings = { wifiAssociationMs: 1500, dhcpMs: 400, tlsHandshakeMs: 1200, wincStartMs: 1000 };

/** Time the model charged, by cause, since the last reset (the bench's floor and its breakdown). */
export interface ChargedTime {
  wireMs: number;
  flashMs: number;
  wifiMs: number;
  dhcpMs: number;
  tlsHandshakeMs: number;
  wincStartMs: number;
  tlsHandshakes: number;
}

export function noChargedTime(): ChargedTime {
  return { wireMs: 0, flashMs: 0, wifiMs: 0, dhcpMs: 0, tlsHandshakeMs: 0, wincStartMs: 0, tlsHandshakes: 0 };
}

export function totalChargedMs(t: ChargedTime): number {
  return t.wireMs + t.flashMs + t.wifiMs + t.dhcpMs + t.tlsHandshakeMs + t.wincStartMs;
}
