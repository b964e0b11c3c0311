import { defineAcceptanceSuite, defineStartupSuite } from '../board/acceptance-suite.js';
import { describeWithEmulator, startEmulatedBoard } from './emulator-test-support.js';

// BOARD's acceptance suite (protocol 1.1, streamed downloads up to the stores' limits, one TLS
// connection per job, the TLS section's kept tail, answers while the WINC starts) against the
// prebuilt MKR1000 image running in the emulator: the same rules as the simulator and the host build.
describeWithEmulator('the prebuilt mkr1000 image in the emulator (board acceptance)', (setup) => {
  defineAcceptanceSuite('emulated mkr1000 image', async () => {
    const emu = await startEmulatedBoard(setup(), 'mkr1000');
    return { path: emu.path, stop: () => emu.stop() };
  });
  // Powered when the test opens the port: the WINC's start is timed from there, not from Python's start-up.
  defineStartupSuite('emulated mkr1000 image', async (wincStartMs) => {
    const emu = await startEmulatedBoard(setup(), 'mkr1000', ['--winc-boot-ms', String(wincStartMs), '--power-on-open']);
    return { path: emu.path, stop: () => emu.stop() };
  });
});
