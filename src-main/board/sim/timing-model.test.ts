import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpsFileServer, type RunningHttpsFileServer } from '../../https-server/file-server.js';
import { createSelfSignedIdentity, type ServerIdentity } from '../../https-server/identity.js';
import { WINC1500_DEFAULT_LAYOUT } from '../../store/flash-layout.js';
import { encodeRootSection, rootEntryFromCertificate } from '../../store/root-store.js';
import { parseCertificate } from '../../x509/certificate.js';
import { NativeBoardDriver } from '../native/native-driver.js';
import { startInProcessSim, type RunningSim } from './sim-host.js';
import { totalChargedMs } from './timing-model.js';

describe('the simulator timing model', () => {
  let identity: ServerIdentity;
  let server: RunningHttpsFileServer;
  let sim: RunningSim;
  let driver: NativeBoardDriver;
  const network = { wifiAssociationMs: 120, dhcpMs: 60, tlsHandshakeMs: 80, wincStartMs: 50 };

  beforeAll(async () => {
    identity = await createSelfSignedIdentity({ hostname: 'localhost', ipAddresses: [] });
    server = await startHttpsFileServer({ host: '127.0.0.1', port: 0, identity, files: [{ name: 'a.cer', bytes: identity.certDer }, { name: 'b.cer', bytes: identity.certDer }] });
    sim = startInProcessSim({ network, baudRate: 0 });
    driver = new NativeBoardDriver(sim.hostTransport!, { timeouts: { jobIdleMs: 10_000 } });
    await driver.writeSection('root', encodeRootSection([rootEntryFromCertificate(parseCertificate(identity.certDer))], WINC1500_DEFAULT_LAYOUT));
  });
  afterAll(async () => {
    await driver?.close();
    await sim?.stop();
    await server?.stop();
  });

  it('charges Wi-Fi association, DHCP, each TLS handshake and the WINC restart, and books them by cause', async () => {
    sim.board.resetChargedTime();
    const started = performance.now();
    const result = await driver.runJob({
      wifi: { ssid: 'lab', security: 'wpa-psk', passphrase: 'passphrase' },
      server: { host: '127.0.0.1', port: server.port },
      entries: [
        { certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'a.cer' },
        { certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'b.cer' },
      ],
    });
    const wallMs = performance.now() - started;
    const charged = sim.board.chargedTime();
    expect(result.tlsHandshakes).toBe(1);
    // The writes before the job left the WINC in download mode: a restart before the job and one after it.
    expect(charged).toMatchObject({ wifiMs: 120, dhcpMs: 60, tlsHandshakeMs: 80, tlsHandshakes: 1, wincStartMs: 100, wireMs: 0 });
    expect(wallMs).toBeGreaterThanOrEqual(totalChargedMs(charged) - 5);
  });
});
