import { SimBoard, type SimBoardOptions } from './sim-board.js';
import { TransportListeners, type ByteTransport } from '../transport/byte-transport.js';
import type { SimulatedApplication, SimulatedApplicationContext } from '../../programmer/sim/simulated-bootloader.js';

/**
 * What the simulated SAM-BA bootloader runs after it resets into the application: the
 * simulated SAM D21 + WINC1500 board speaking the app's protocol on the same port, as a
 * freshly programmed board would.
 */
export function simulatedBoardApplication(options: SimBoardOptions = {}): (context: SimulatedApplicationContext) => SimulatedApplication {
  return (context) => {
    const listeners = new TransportListeners();
    let open = true;
    const transport: ByteTransport = {
      description: 'simulated board application',
      get isOpen() {
        return open;
      },
      write: async (data) => context.write(data),
      onData: (listener) => listeners.addData(listener),
      onClose: (listener) => listeners.addClose(listener),
      close: async () => {
        open = false;
        listeners.emitClose();
      },
    };
    context.onData((data) => listeners.emitData(data));
    const board = new SimBoard(options);
    board.attach(transport);
    return {
      stop: () => {
        board.detach();
        void transport.close();
      },
    };
  };
}
