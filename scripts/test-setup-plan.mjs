// The set-up step's decisions, apart from the machine: what is missing, whether we can install
// it (root, or sudo without a password prompt, on Debian/Ubuntu), and what to tell the user
// otherwise. Every effect goes through `deps`, so tests can inject a fake machine.

/** Ubuntu and its derivatives name a few packages differently. */
export function packageName(pkg, distro) {
  return distro?.family === 'ubuntu' && pkg.ubuntu ? pkg.ubuntu : pkg.debian;
}

/** `/etc/os-release` text → { id, family } where family is 'debian', 'ubuntu' or 'other'. */
export function parseOsRelease(text) {
  if (!text) return undefined;
  const field = (name) => {
    const match = new RegExp(`^${name}=("?)([^"\\n]*)\\1$`, 'm').exec(text);
    return match ? match[2].toLowerCase() : '';
  };
  const id = field('ID');
  const like = field('ID_LIKE').split(/\s+/);
  const family = id === 'ubuntu' || like.includes('ubuntu') ? 'ubuntu' : id === 'debian' || like.includes('debian') ? 'debian' : 'other';
  return { id, family };
}

/**
 * What to do about the missing packages.
 * @returns {{ kind: 'ready' } | { kind: 'install', commands: string[][], names: string[] } |
 *   { kind: 'manual', line: string, names: string[] } | { kind: 'elsewhere', lines: string[] }}
 */
export function planSetup({ missing, distro, isRoot, sudoWithoutPassword, hasAptGet }) {
  if (missing.length === 0) return { kind: 'ready' };
  const debianLike = hasAptGet && (distro?.family === 'debian' || distro?.family === 'ubuntu');
  if (!debianLike) {
    return { kind: 'elsewhere', lines: missing.map((pkg) => `${pkg.debian} (${pkg.purpose}): ${pkg.elsewhere}`) };
  }
  const names = missing.map((pkg) => packageName(pkg, distro));
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...names];
  if (isRoot || sudoWithoutPassword) {
    const elevate = (argv) => (isRoot ? argv : ['sudo', '-n', ...argv]);
    return { kind: 'install', names, commands: [elevate(['apt-get', 'update', '-qq']), elevate(install)] };
  }
  return { kind: 'manual', names, line: `sudo apt-get update && sudo ${install.join(' ')}` };
}

/**
 * Runs the set-up step against `deps` (the real machine in test-setup.mjs, a fake in tests).
 * deps: { packages, isPresent(pkg), distro, isRoot, sudoWithoutPassword(), hasAptGet, run(argv) → exit status, print(line) }
 * @returns {number} the exit status for `npm test`: 0 when everything the tests need is present
 */
export function runSetup(deps) {
  const missing = deps.packages.filter((pkg) => !deps.isPresent(pkg));
  const plan = planSetup({
    missing,
    distro: deps.distro,
    isRoot: deps.isRoot,
    sudoWithoutPassword: missing.length > 0 && !deps.isRoot && deps.hasAptGet ? deps.sudoWithoutPassword() : false,
    hasAptGet: deps.hasAptGet,
  });
  switch (plan.kind) {
    case 'ready':
      deps.print(`test set-up: the ${deps.packages.length} system packages the tests need are present.`);
      return 0;
    case 'install': {
      deps.print(`test set-up: installing ${plan.names.join(' ')}`);
      for (const argv of plan.commands) {
        const status = deps.run(argv);
        if (status !== 0) {
          deps.print(`test set-up: '${argv.join(' ')}' failed (exit ${status}). Run it yourself, then npm test again.`);
          return 1;
        }
      }
      const still = deps.packages.filter((pkg) => !deps.isPresent(pkg));
      if (still.length > 0) {
        deps.print(`test set-up: installed, but still not usable: ${still.map((pkg) => `${pkg.debian} (${pkg.purpose})`).join(', ')}.`);
        return 1;
      }
      deps.print(`test set-up: installed ${plan.names.length} package${plan.names.length === 1 ? '' : 's'}.`);
      return 0;
    }
    case 'manual':
      deps.print(`test set-up: missing ${plan.names.join(', ')}. Installing needs root; run this once, then npm test again:`);
      deps.print(`  ${plan.line}`);
      return 1;
    case 'elsewhere':
      deps.print('test set-up: these system packages are missing (named as Debian calls them), and without Debian/Ubuntu apt-get this step cannot install them:');
      for (const line of plan.lines) deps.print(`  ${line}`);
      deps.print('Install them, then npm test again.');
      return 1;
  }
  return 1;
}
