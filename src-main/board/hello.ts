import { NativeBoardDriver } from './native/native-driver.js';
import { SerialTransport } from './transport/serial-transport.js';

/** Resolves once the board on `portPath` answers the protocol's HELLO (e.g. fresh firmware after a reset). */
export async function waitForHello(portPath: string, signal: AbortSignal): Promise<void> {
  const transport = await SerialTransport.open({ path: portPath });
  const driver = new NativeBoardDriver(transport);
  try {
    await driver.identify({ signal });
  } finally {
    await driver.close();
  }
}
