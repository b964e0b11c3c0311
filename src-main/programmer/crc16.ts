/**
 * CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no final XOR): what the
 * Arduino SAM-BA bootloader's `Z` command returns and what bossac compares it with.
 */
const TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[n] = crc;
  }
  return table;
})();

export function crc16Xmodem(data: Uint8Array, initial = 0): number {
  let crc = initial & 0xffff;
  for (const byte of data) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >>> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}
