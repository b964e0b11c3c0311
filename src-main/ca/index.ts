/** The station CA: creation and import, per-board identities, server certificates, client-chain checks. Pure. */
export { CaError, type CaErrorCode } from './errors.js';
export {
  createStationCa,
  prepareCaImport,
  describeCa,
  checkCaCertificate,
  serialHex,
  MAX_VALIDITY_DAYS,
  type CaKeyType,
  type CaCertificates,
  type CaWithKey,
  type CaDescription,
  type CreateCaRequest,
  type CaImportInput,
} from './ca-material.js';
export { CaSigner, type DeviceIdentityRequest, type IssuedDeviceIdentity, type ServerCertificateRequest, type IssuedServerCertificate } from './signer.js';
export { compileTemplate, renderNames, normaliseMac, normaliseUid, PLACEHOLDERS, type CompiledTemplate, type IdentityTemplateInput, type TemplateValues } from './template.js';
export { parseName, ATTRIBUTE_NAMES } from './names.js';
export { verifyClientChain, type ChainVerdict, type ChainRejection, type PresentedLeaf } from './verify-chain.js';
export { pemBytes, wipe, privateKeyFromBytes } from './keys.js';
export { RsaKeyPool, type KeyPoolOptions } from './key-pool.js';
