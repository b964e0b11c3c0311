// The one list of system packages the tests need, used by `npm test`'s set-up step
// (scripts/test-setup.mjs) and by CI (.ci/run). Add a package here and nowhere else.
//
// Each entry: the Debian package name (Ubuntu's where it differs), what it is for, how to tell
// it is usable on any OS (`check`), and how to get it where apt is not the way.
//   check.commands: any of these on PATH
//   check.files:    any of these files exists (`$VAR` entries come from the environment)
//   check.python:   a module importable by /usr/bin/python3 (Debian's, where its packages go) or python3
//   check.gccFile:  a file arm-none-eabi-gcc finds in its own library path

/** @type {import('./system-packages.d.mts').SystemPackage[]} */
export const SYSTEM_PACKAGES = [
  {
    debian: 'chromium',
    ubuntu: 'chromium-browser',
    purpose: 'end-to-end tests (headless browser; never downloaded)',
    check: { files: ['$CHROMIUM_PATH', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'] },
    elsewhere: 'install Chromium or Chrome and set CHROMIUM_PATH to its binary',
  },
  { debian: 'socat', purpose: 'simulated boards on pseudo-terminals', check: { commands: ['socat'] }, elsewhere: 'macOS: brew install socat' },
  { debian: 'openssl', purpose: 'certificate tests and the firmware smoke test', check: { commands: ['openssl'] }, elsewhere: 'macOS: brew install openssl' },
  { debian: 'curl', purpose: 'HTTPS server tests', check: { commands: ['curl'] }, elsewhere: 'macOS: ships with the OS' },
  { debian: 'bossa-cli', purpose: "bossac against the simulated bootloader", check: { commands: ['bossac'] }, elsewhere: 'macOS: brew install bossa' },
  { debian: 'openocd', purpose: 'Xplained Pro programming tests', check: { commands: ['openocd'] }, elsewhere: 'macOS: brew install open-ocd' },
  {
    debian: 'gcc-arm-none-eabi',
    purpose: 'building the SAM D21 firmware',
    check: { commands: ['arm-none-eabi-gcc'] },
    elsewhere: "Arm GNU Toolchain (arm-none-eabi) from your package manager; macOS: brew install --cask gcc-arm-embedded",
  },
  {
    debian: 'libnewlib-arm-none-eabi',
    purpose: "the firmware's C library",
    check: { gccFile: 'libc_nano.a' },
    elsewhere: 'comes with the Arm GNU Toolchain',
  },
  { debian: 'make', purpose: 'the firmware build', check: { commands: ['make'] }, elsewhere: 'macOS: xcode-select --install' },
  { debian: 'gcc', purpose: "the firmware's host build", check: { commands: ['gcc', 'cc'] }, elsewhere: 'macOS: xcode-select --install' },
  {
    debian: 'libssl-dev',
    purpose: "the firmware's host build (TLS)",
    check: { files: ['/usr/include/openssl/ssl.h', '/usr/local/include/openssl/ssl.h', '/opt/homebrew/include/openssl/ssl.h', '/usr/local/opt/openssl/include/openssl/ssl.h'] },
    elsewhere: 'macOS: brew install openssl',
  },
  { debian: 'python3', purpose: "the firmware's smoke test and the emulator", check: { commands: ['python3'] }, elsewhere: 'install Python 3' },
  {
    debian: 'python3-unicorn',
    purpose: 'the instruction-level SAM D21 emulator',
    check: { python: 'unicorn' },
    elsewhere: 'pip install unicorn (for the python3 on PATH)',
  },
];
