import { describe, expect, it } from 'vitest';
import { classifyOpenError, listPortsWithFallback, touch1200WithSerialport } from './serial-edge.js';
import { startSimulatedBootloader } from './sim/simulated-bootloader.js';

describe('serial edge', () => {
  it('classifies open failures into codes that say what to do', () => {
    expect(classifyOpenError('/dev/ttyACM0', new Error('Error Resource temporarily unavailable Cannot lock port')).code).toBe('PORT_BUSY');
    expect(classifyOpenError('COM5', new Error('Opening COM5: Access denied')).code).toBe('PORT_BUSY');
    expect(classifyOpenError('/dev/ttyACM0', new Error('Error: Permission denied, cannot open /dev/ttyACM0')).code).toBe('PORT_ACCESS_DENIED');
    expect(classifyOpenError('/dev/ttyACM9', new Error('Error: No such file or directory, cannot open /dev/ttyACM9')).code).toBe('PORT_NOT_FOUND');
  });

  it('normalises SerialPort.list() and falls back to a /dev scan when listing fails', async () => {
    expect(await listPortsWithFallback(async () => [{ path: '/dev/ttyACM0', vendorId: '2341', productId: '804E', serialNumber: 'ABC' }])).toEqual([
      { path: '/dev/ttyACM0', vendorId: '2341', productId: '804e', serialNumber: 'ABC' },
    ]);
    expect(
      await listPortsWithFallback(
        async () => {
          throw new Error('udev unavailable');
        },
        () => ['/dev/ttyACM3'],
      ),
    ).toEqual([{ path: '/dev/ttyACM3' }]);
  });

  it('the 1200-baud touch opens and closes a real pty even though ptys refuse DTR changes', async () => {
    const sim = await startSimulatedBootloader();
    try {
      await expect(touch1200WithSerialport(sim.portPath)).resolves.toBeUndefined();
    } finally {
      await sim.close();
    }
    await expect(touch1200WithSerialport(sim.portPath)).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
  });
});
