/** Per-board identity lifecycle and the station's identity desk. No files: the store and audit come in as ports. */
export { applyIdentityEvent, activeIdentity, latestIdentity, emptyBoard, IdentityStateError, type IdentityState, type IdentityRecord, type BoardIdentities, type IdentityEvent, type IdentityChange } from './lifecycle.js';
export { planWithIdentity, IDENTITY_FILES, type PlanIdentity } from './identity-plan.js';
export { IdentityDesk, type IdentityStorePort, type AuditPort, type IssuerPort, type IdentityDeskSettings, type BoardFacts, type BoardIdentity, type WrittenFacts, type FailedFacts, type IdentityDeskView } from './identity-desk.js';
