export interface PackageCheck {
  commands?: string[];
  files?: string[];
  python?: string;
  gccFile?: string;
}

export interface SystemPackage {
  debian: string;
  ubuntu?: string;
  purpose: string;
  check: PackageCheck;
  elsewhere: string;
}

export const SYSTEM_PACKAGES: SystemPackage[];
