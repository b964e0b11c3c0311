/** SAM D21 x18 facts the programmer and the simulator share (datasheet / board-programming.md). */
export const SAMD21 = {
  flashSize: 0x40000,
  pageSize: 64,
  rowSize: 256,
  sramStart: 0x20000000,
  sramSize: 0x8000,
  /** The Arduino / Adafruit SAM-BA bootloader occupies the first 8 KiB. */
  bootloaderSize: 0x2000,
  cpuidAddress: 0xe000ed00,
  aircrAddress: 0xe000ed0c,
  aircrSysResetRequest: 0x05fa0004,
  /** DSU DID as the CPU sees it (debuggers use the 0x41002118 mirror). */
  dsuDidAddress: 0x41002018,
  nvmctrlBase: 0x41004000,
  userRowAddress: 0x00804000,
  serialNumberAddresses: [0x0080a00c, 0x0080a040, 0x0080a044, 0x0080a048] as const,
} as const;

/** Cortex-M0+ part number in CPUID bits 15:4. */
export const CORTEX_M0PLUS_PARTNO = 0xc600;

export interface DeviceIdInfo {
  raw: number;
  processor: number;
  family: number;
  series: number;
  die: number;
  revision: number;
  devsel: number;
  /** e.g. 'ATSAMD21G18A', or undefined when the device is not a known SAM D21. */
  partName?: string;
  flashSize?: number;
  /** True for the 256 KiB parts the firmware images are built for. */
  isSamd21x18: boolean;
}

const SAMD21_DEVSEL: Record<number, { name: string; flash: number }> = {
  0x00: { name: 'ATSAMD21J18A', flash: 0x40000 },
  0x01: { name: 'ATSAMD21J17A', flash: 0x20000 },
  0x02: { name: 'ATSAMD21J16A', flash: 0x10000 },
  0x03: { name: 'ATSAMD21J15A', flash: 0x8000 },
  0x05: { name: 'ATSAMD21G18A', flash: 0x40000 },
  0x06: { name: 'ATSAMD21G17A', flash: 0x20000 },
  0x07: { name: 'ATSAMD21G16A', flash: 0x10000 },
  0x08: { name: 'ATSAMD21G15A', flash: 0x8000 },
  0x0a: { name: 'ATSAMD21E18A', flash: 0x40000 },
  0x0b: { name: 'ATSAMD21E17A', flash: 0x20000 },
  0x0c: { name: 'ATSAMD21E16A', flash: 0x10000 },
  0x0d: { name: 'ATSAMD21E15A', flash: 0x8000 },
  0x0f: { name: 'ATSAMD21G18AU', flash: 0x40000 },
};

/** Decodes DSU.DID (fields per CMSIS component/dsu.h). */
export function decodeDeviceId(raw: number): DeviceIdInfo {
  const did = raw >>> 0;
  const processor = (did >>> 28) & 0xf;
  const family = (did >>> 23) & 0x1f;
  const series = (did >>> 16) & 0x3f;
  const die = (did >>> 12) & 0xf;
  const revision = (did >>> 8) & 0xf;
  const devsel = did & 0xff;
  const isSamd21 = processor === 1 && family === 0 && series === 1;
  const part = isSamd21 ? SAMD21_DEVSEL[devsel] : undefined;
  const info: DeviceIdInfo = {
    raw: did,
    processor,
    family,
    series,
    die,
    revision,
    devsel,
    isSamd21x18: part?.flash === 0x40000,
  };
  if (part) {
    info.partName = part.name;
    info.flashSize = part.flash;
  }
  return info;
}

/** Human text for a revision nibble (0 = A). */
export function revisionLetter(revision: number): string {
  return String.fromCharCode(0x41 + (revision & 0xf));
}
