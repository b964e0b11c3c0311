/** Certificate intake: read dropped files, classify, order chains, validate and plan. */
export { analyzeIntake, intakeView, type IntakeOptions, type IntakeResult, type IntakeView, type IntakeItemView } from './intake.js';
export { readInputs, type IntakeInput, type IntakeItem, type CertificateItem, type PrivateKeyItem, type ItemSource } from './read-inputs.js';
export type { Classification, CertType, ItemRole, TlsChain } from './classify.js';
export { buildPlan, planView, mainHSnippet, type PlanEntry, type PlanEntryView } from './plan.js';
export { FINDING_SEVERITY, hasErrors, type Finding, type FindingCode, type Severity } from './findings.js';
export type { SectionUsage } from './section-budget.js';
export { firmwareProfile, DEFAULT_FIRMWARE, type FirmwareProfile } from './firmware.js';
export { IntakeError, type ReadErrorCode } from './intake-error.js';
export { loadIntakeInputs, IntakeFileError, MAX_INTAKE_FILE_BYTES } from './load-files.js';
