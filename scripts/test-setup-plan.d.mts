import type { SystemPackage } from './system-packages.d.mts';

export interface Distro {
  id: string;
  family: 'debian' | 'ubuntu' | 'other';
}

export type SetupPlan =
  | { kind: 'ready' }
  | { kind: 'install'; commands: string[][]; names: string[] }
  | { kind: 'manual'; line: string; names: string[] }
  | { kind: 'elsewhere'; lines: string[] };

export function packageName(pkg: SystemPackage, distro: Distro | undefined): string;
export function parseOsRelease(text: string | undefined): Distro | undefined;
export function planSetup(input: { missing: SystemPackage[]; distro: Distro | undefined; isRoot: boolean; sudoWithoutPassword: boolean; hasAptGet: boolean }): SetupPlan;

export interface SetupDeps {
  packages: SystemPackage[];
  isPresent(pkg: SystemPackage): boolean;
  distro: Distro | undefined;
  isRoot: boolean;
  sudoWithoutPassword(): boolean;
  hasAptGet: boolean;
  run(argv: string[]): number;
  print(line: string): void;
}

export function runSetup(deps: SetupDeps): number;
