import { useEffect } from 'react';
import { getBridge } from './api/bridge';
import { BoardPanel } from './components/board/BoardPanel';
import { RecoveryBanner } from './components/board/RecoveryBanner';
import { RestoreDialog } from './components/provision/RestoreDialog';
import { CertificatesPanel } from './components/certificates/CertificatesPanel';
import { DropTarget } from './components/certificates/DropTarget';
import { Notices } from './components/common/Notices';
import { FlashMapPanel } from './components/flash-map/FlashMapPanel';
import { LogPanel } from './components/log/LogPanel';
import { MaintenancePanel } from './components/provision/MaintenancePanel';
import { ProvisionBar } from './components/provision/ProvisionBar';
import { ServerPanel } from './components/server/ServerPanel';
import { useBoardStore } from './stores/board-store';
import { wireBackendEvents } from './stores/event-wiring';
import { useLogStore } from './stores/log-store';
import { useRunStore } from './stores/run-store';
import { useServerStore } from './stores/server-store';
import { useWorkspaceStore } from './stores/workspace-store';

export function App() {
  const info = useLogStore((state) => state.info);
  const connectionError = useLogStore((state) => state.connectionError);

  useEffect(() => {
    const unsubscribe = wireBackendEvents();
    void useLogStore.getState().loadInfo();
    void useWorkspaceStore.getState().load();
    void useBoardStore.getState().load();
    void useServerStore.getState().load();
    void useRunStore.getState().loadBackups();
    void getBridge()
      .getStation()
      .then((station) => useRunStore.getState().setStation(station), () => undefined);
    return unsubscribe;
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>WINC Cert Studio</h1>
        <span className="app-status" data-testid="app-status">
          {connectionError ? `Backend unreachable: ${connectionError}` : info ? `${info.version} · ${info.mode} mode` : 'Connecting…'}
        </span>
        <ProvisionBar />
      </header>
      <RecoveryBanner />
      <RestoreDialog />
      <Notices />
      <DropTarget />
      <main className="app-main">
        <div className="column column-certificates">
          <CertificatesPanel />
        </div>
        <div className="column column-flash">
          <FlashMapPanel />
          <MaintenancePanel />
        </div>
        <div className="column column-station">
          <BoardPanel />
          <ServerPanel />
        </div>
      </main>
      <LogPanel />
    </div>
  );
}
