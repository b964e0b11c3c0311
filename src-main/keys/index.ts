export { KeyError, type KeyErrorCode } from './errors.js';
export { readPrivateKey, readPrivateKeyWithContainer, type EcKeyCurve, type EcPrivateKey, type PrivateKeyContainer, type PrivateKeyInfo, type RsaPrivateKey } from './private-key.js';
export { privateKeyMatchesPublicKey } from './key-match.js';
export { decryptLegacyPem, decryptPkcs8 } from './encrypted-key.js';
export { assertKdfAffordable, DEFAULT_KDF_LIMITS, MAX_KDF_ITERATIONS, passwordKdfCost, type KdfCost, type KdfLimits } from './kdf-cost.js';
