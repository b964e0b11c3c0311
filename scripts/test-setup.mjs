// `npm test`'s first step (and CI's set-up, .ci/run): make sure every system package the tests
// need is there, installing it on Debian/Ubuntu where we may (as root, or with sudo that needs no
// password), otherwise printing the one line to run. Quick and silent-but-one-line when all is there.
//   node scripts/test-setup.mjs            system packages, then `npm ci` if node_modules is missing
//   node scripts/test-setup.mjs --no-npm   system packages only (CI runs npm ci itself)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM_PACKAGES } from './system-packages.mjs';
import { parseOsRelease, runSetup } from './test-setup-plan.mjs';

const root = path.resolve(import.meta.dirname, '..');

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of process.platform === 'win32' ? ['.exe', '.cmd', ''] : ['']) {
      try {
        accessSync(path.join(dir, command + ext), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

function isPresent(pkg) {
  const { commands, files, python, gccFile } = pkg.check;
  if (commands) return commands.some(onPath);
  if (files) {
    return files.some((file) => {
      const resolved = file.startsWith('$') ? process.env[file.slice(1)] : file;
      return !!resolved && existsSync(resolved);
    });
  }
  if (python) {
    const interpreters = ['/usr/bin/python3', 'python3'].filter((p) => p === 'python3' || existsSync(p));
    // find_spec locates the module without loading it (importing unicorn takes most of a second).
    const probe = `import importlib.util, sys; sys.exit(importlib.util.find_spec('${python}') is None)`;
    return interpreters.some((interpreter) => spawnSync(interpreter, ['-c', probe], { stdio: 'ignore' }).status === 0);
  }
  if (gccFile) {
    if (!onPath('arm-none-eabi-gcc')) return false;
    const found = spawnSync('arm-none-eabi-gcc', [`-print-file-name=${gccFile}`], { encoding: 'utf8' }).stdout?.trim() ?? '';
    return path.isAbsolute(found) && existsSync(found);
  }
  return false;
}

function run(argv) {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    if (tail) console.log(tail);
    if (result.error) console.log(result.error.message);
  }
  return result.status ?? 1;
}

const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : undefined;
const status = runSetup({
  packages: SYSTEM_PACKAGES,
  isPresent,
  distro: parseOsRelease(osRelease),
  isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
  sudoWithoutPassword: () => onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
  hasAptGet: onPath('apt-get'),
  run,
  print: (line) => console.log(line),
});
if (status !== 0) process.exit(status);

if (!process.argv.includes('--no-npm') && !existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  console.log('test set-up: node_modules is missing; running npm ci.');
  const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-fund', '--no-audit'], { cwd: root, stdio: 'inherit' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
