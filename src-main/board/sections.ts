import { WINC1500_DEFAULT_LAYOUT, type FlashLayout } from '../store/flash-layout.js';

export type SectionName = 'root' | 'tls';

export interface SectionGeometry {
  section: SectionName;
  offset: number;
  size: number;
}

/** Where a certificate section lives, from the store engine's flash layout (the single source of truth). */
export function sectionGeometry(section: SectionName, layout: FlashLayout = WINC1500_DEFAULT_LAYOUT): SectionGeometry {
  const region = section === 'root' ? layout.rootStore : layout.tlsStore;
  return { section, offset: region.offset, size: region.size };
}

export function isSectionName(value: string): value is SectionName {
  return value === 'root' || value === 'tls';
}
