import { describe, expect, it } from 'vitest';
import { SYSTEM_PACKAGES } from './system-packages.mjs';
import type { SystemPackage } from './system-packages.d.mts';
import { packageName, parseOsRelease, planSetup, runSetup, type SetupDeps } from './test-setup-plan.mjs';

const debian = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n');
const ubuntu = parseOsRelease('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n');
const mint = parseOsRelease('NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n');
const fedora = parseOsRelease('NAME="Fedora Linux"\nID=fedora\n');

/** A fake machine: which packages are present, what runs, what is printed. */
function machine(options: { present: string[]; distro?: SetupDeps['distro']; isRoot?: boolean; sudo?: boolean; aptGet?: boolean; installWorks?: boolean }) {
  const present = new Set(options.present);
  const ran: string[][] = [];
  const printed: string[] = [];
  let sudoAsked = 0;
  const deps: SetupDeps = {
    packages: SYSTEM_PACKAGES,
    isPresent: (pkg: SystemPackage) => present.has(pkg.debian),
    distro: 'distro' in options ? options.distro : debian,
    isRoot: options.isRoot ?? false,
    sudoWithoutPassword: () => {
      sudoAsked++;
      return options.sudo ?? false;
    },
    hasAptGet: options.aptGet ?? true,
    run: (argv) => {
      ran.push(argv);
      if (options.installWorks === false) return 100;
      if (argv.includes('install')) for (const pkg of SYSTEM_PACKAGES) if (argv.includes(packageName(pkg, deps.distro))) present.add(pkg.debian);
      return 0;
    },
    print: (line) => printed.push(line),
  };
  return { deps, ran, printed, sudoAsked: () => sudoAsked };
}

const ALL = SYSTEM_PACKAGES.map((pkg) => pkg.debian);
const without = (...names: string[]): string[] => ALL.filter((name) => !names.includes(name));

describe('the one list of system packages', () => {
  it('holds what the suite needs, python3-unicorn for the emulator included, each with a check and advice for other systems', () => {
    expect(ALL).toEqual(expect.arrayContaining(['chromium', 'socat', 'openssl', 'bossa-cli', 'openocd', 'gcc-arm-none-eabi', 'libnewlib-arm-none-eabi', 'make', 'gcc', 'libssl-dev', 'python3-unicorn']));
    expect(new Set(ALL).size).toBe(ALL.length);
    for (const pkg of SYSTEM_PACKAGES) {
      expect(Object.keys(pkg.check).length, pkg.debian).toBeGreaterThan(0);
      expect(pkg.purpose.length, pkg.debian).toBeGreaterThan(0);
      expect(pkg.elsewhere.length, pkg.debian).toBeGreaterThan(0);
    }
  });
});

describe('test set-up decisions', () => {
  it('does nothing but say so when everything is present (CI after its own install, a set-up machine)', () => {
    const m = machine({ present: ALL });
    expect(runSetup(m.deps)).toBe(0);
    expect(m.ran).toEqual([]);
    expect(m.sudoAsked()).toBe(0);
    expect(m.printed).toEqual([`test set-up: the ${ALL.length} system packages the tests need are present.`]);
  });

  it('as root on Debian installs exactly the missing packages in one apt-get call, then checks again', () => {
    const m = machine({ present: without('socat', 'python3-unicorn'), isRoot: true });
    expect(runSetup(m.deps)).toBe(0);
    expect(m.ran).toEqual([
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '--no-install-recommends', 'socat', 'python3-unicorn'],
    ]);
    expect(m.sudoAsked()).toBe(0);
    expect(m.printed.at(-1)).toBe('test set-up: installed 2 packages.');
  });

  it('uses sudo when it works without a password prompt', () => {
    const m = machine({ present: without('chromium'), sudo: true });
    expect(runSetup(m.deps)).toBe(0);
    expect(m.ran).toEqual([
      ['sudo', '-n', 'apt-get', 'update', '-qq'],
      ['sudo', '-n', 'apt-get', 'install', '-y', '--no-install-recommends', 'chromium'],
    ]);
  });

  it('without root or password-less sudo, prints the one exact line to run and stops', () => {
    const m = machine({ present: without('socat', 'gcc-arm-none-eabi', 'libnewlib-arm-none-eabi') });
    expect(runSetup(m.deps)).toBe(1);
    expect(m.ran).toEqual([]);
    expect(m.printed).toContain('  sudo apt-get update && sudo apt-get install -y --no-install-recommends socat gcc-arm-none-eabi libnewlib-arm-none-eabi');
    expect(m.printed.filter((line) => line.includes('apt-get install'))).toHaveLength(1);
  });

  it("uses Ubuntu's package names on Ubuntu and its derivatives", () => {
    expect(planSetup({ missing: SYSTEM_PACKAGES.filter((p) => p.debian === 'chromium'), distro: ubuntu, isRoot: true, sudoWithoutPassword: false, hasAptGet: true })).toMatchObject({ kind: 'install', names: ['chromium-browser'] });
    expect(mint?.family).toBe('ubuntu');
    expect(planSetup({ missing: SYSTEM_PACKAGES.filter((p) => p.debian === 'chromium'), distro: debian, isRoot: true, sudoWithoutPassword: false, hasAptGet: true })).toMatchObject({ names: ['chromium'] });
  });

  it('on other systems says what is missing, what it is for and how to get it, and installs nothing', () => {
    for (const distro of [fedora, undefined]) {
      const m = machine({ present: without('socat', 'python3-unicorn'), distro, aptGet: distro !== undefined });
      expect(runSetup(m.deps)).toBe(1);
      expect(m.ran).toEqual([]);
      expect(m.printed.join('\n')).toContain('socat (simulated boards on pseudo-terminals): macOS: brew install socat');
      expect(m.printed.join('\n')).toContain('python3-unicorn (the instruction-level SAM D21 emulator): pip install unicorn');
    }
  });

  it('reports a failed install with the command that failed, and a package still unusable after installing', () => {
    const failing = machine({ present: without('socat'), isRoot: true, installWorks: false });
    expect(runSetup(failing.deps)).toBe(1);
    expect(failing.printed.at(-1)).toContain("'apt-get update -qq' failed (exit 100)");

    const m = machine({ present: without('python3-unicorn'), isRoot: true });
    m.deps.isPresent = (pkg) => pkg.debian !== 'python3-unicorn';
    expect(runSetup(m.deps)).toBe(1);
    expect(m.printed.at(-1)).toContain('still not usable: python3-unicorn');
  });

  it('reads /etc/os-release', () => {
    expect(debian).toEqual({ id: 'debian', family: 'debian' });
    expect(ubuntu).toEqual({ id: 'ubuntu', family: 'ubuntu' });
    expect(fedora?.family).toBe('other');
    expect(parseOsRelease(undefined)).toBeUndefined();
  });
});
