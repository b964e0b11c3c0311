import { useEffect } from 'react';
import { getBridge } from './api/bridge';
import { BoardPanel } from './components/board/BoardPanel';
import { RecoveryBanner } from './components/board/RecoveryBanner';
import { CertificatesPanel } from './components/certificates/CertificatesPanel';
import { DropTarget } from './components/certificates/DropTarget';
import { Notices } from './components/common/Notices';
import { FlashMapPanel } from './components/flash-map/FlashMapPanel';
import { LogPanel } from './components/log/LogPanel';
import { MaintenancePanel } from './components/provision/MaintenancePanel';
import { ProvisionPanel } from './components/provision/ProvisionPanel';
import { RestoreDialog } from './components/provision/RestoreDialog';
import { ServerPanel } from './components/server/ServerPanel';
import { IdentityPanel } from './components/station/IdentityPanel';
import { StationTiles } from './components/station/StationTiles';
import { boardStep, certificatesStep, provisionStep } from './lib/readiness';
import { useBoardStore } from './stores/board-store';
import { wireBackendEvents } from './stores/event-wiring';
import { useFlashStore } from './stores/flash-store';
import { useLogStore } from './stores/log-store';
import { useProvisionSettings } from './stores/provision-settings-store';
import { useRunStore } from './stores/run-store';
import { useServerStore } from './stores/server-store';
import { useWorkspaceStore } from './stores/workspace-store';

/**
 * The station as three steps, left to right — Certificates → Board → Provision — each saying what it
 * still needs, with recovery of an interrupted board above everything.
 */
export function App() {
  const info = useLogStore((state) => state.info);
  const connectionError = useLogStore((state) => state.connectionError);
  const workspace = useWorkspaceStore((state) => state.workspace);
  const map = useFlashStore((state) => state.map);
  const board = useBoardStore((state) => state.board);
  const wifi = useBoardStore((state) => state.wifi);
  const settings = useProvisionSettings((state) => state.settings);
  const stationMode = useRunStore((state) => state.station?.enabled ?? false);

  useEffect(() => {
    const unsubscribe = wireBackendEvents();
    void useLogStore.getState().loadInfo();
    void useWorkspaceStore.getState().load();
    void useBoardStore.getState().load();
    void useServerStore.getState().load();
    void useProvisionSettings.getState().load();
    void useRunStore.getState().loadBackups();
    void getBridge()
      .getStation()
      .then((station) => useRunStore.getState().setStation(station), () => undefined);
    return unsubscribe;
  }, []);

  const certificates = certificatesStep(workspace, map, board?.recovery?.state === 'interrupted');
  const boardState = boardStep(board, wifi, settings, stationMode);
  const provision = provisionStep(certificates, boardState);

  return (
    <div className="app">
      <header className="app-header">
        <h1>WINC Cert Studio</h1>
        <ol className="step-trail" aria-label="Steps">
          <li className={certificates.ready ? 'trail-ready' : ''}>1 Certificates</li>
          <li className={boardState.ready ? 'trail-ready' : ''}>2 Board</li>
          <li className={provision.ready ? 'trail-ready' : ''}>3 Provision</li>
        </ol>
        <span className="app-status" data-testid="app-status">
          {connectionError ? `Backend unreachable: ${connectionError}` : info ? `${info.version} · ${info.mode} mode` : 'Connecting…'}
        </span>
      </header>
      <RecoveryBanner />
      <RestoreDialog />
      <Notices />
      <StationTiles />
      <DropTarget />
      <main className="app-main">
        <div className="column column-certificates">
          <CertificatesPanel state={certificates} />
        </div>
        <div className="column column-board">
          <BoardPanel state={boardState} />
          <FlashMapPanel />
        </div>
        <div className="column column-provision">
          <ProvisionPanel state={provision} />
          <ServerPanel />
          <MaintenancePanel />
          <IdentityPanel />
        </div>
      </main>
      <LogPanel />
    </div>
  );
}
