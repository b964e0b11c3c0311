/** Public API of the board link (serial protocol, drivers, discovery, simulator). */
export { NO_STATUS_FLAGS, type BoardStatusFlags } from './board-link.js';
export type { BoardIdentity, BoardLink, OperationOptions, ProgressUpdate, WriteSectionOptions, WriteSectionResult } from './board-link.js';
export { BoardError, isBoardError, type BoardErrorCode, type BoardPhase, type SectionBackup } from './errors.js';
export { sectionGeometry, isSectionName, type SectionGeometry, type SectionName } from './sections.js';
export { openBoard, type BoardProtocol, type OpenBoardOptions } from './open-board.js';
export {
  NativeBoardDriver,
  type JobConfig,
  type NativeDriverOptions,
  type ProveIdentityConfig,
  type ProveIdentityResult,
  type RunJobOptions,
  type WincModuleInfo,
} from './native/native-driver.js';
export { DEFAULT_TIMEOUTS, type ClientStats, type ClientTimeouts } from './native/protocol-client.js';
export { FwUpdaterDriver, type FwUpdaterDriverOptions } from './fwupdater/fwupdater-driver.js';
export type { BoardEvent, ErrorBody, HelloInfo, JobEntry, JobResult, LinkStats, ProveResult, WincIdentityInfo } from './protocol/messages.js';
export { Capability, HelloStatus, type CapabilityName } from './protocol/constants.js';
export type { BoardKind, BoardState, CertType, WifiSecurity, WirePhase } from './protocol/constants.js';
export { listBoards, listSerialPorts, resolvePort, waitForPort, type DiscoveredPort, type DiscoveryDeps, type PortQuery } from './transport/port-discovery.js';
export { KNOWN_USB_DEVICES, lookupUsbDevice, recogniseUsbDevice, usbIdsFor, type KnownUsbDevice, type SupportedUsbDevice } from './transport/usb-ids.js';
export { SerialTransport, openSerialPaths, type SerialOpenOptions } from './transport/serial-transport.js';
export { createTransportPair, type ByteTransport, type TransportPair } from './transport/byte-transport.js';
export { startInProcessSim, startPtySim, type RunningSim, type StartSimOptions, type SimProtocol } from './sim/sim-host.js';
export { SimBoard, type SimBoardOptions, type SimFaults } from './sim/sim-board.js';
export { FAST_TIMINGS, REALISTIC_TIMINGS, type NorTimings } from './sim/winc-flash.js';
export { FAST_NETWORK_TIMINGS, REALISTIC_NETWORK_TIMINGS, totalChargedMs, type ChargedTime, type NetworkTimings } from './sim/timing-model.js';
