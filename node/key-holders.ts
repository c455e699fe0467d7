// The keystore names of the node's own keys, apart from signing.ts so that a
// light command (`warddesk verify`) can name the ward CA without loading the
// signer and the PDF renderer.
export const WARD_CA = 'ward-ca';
export const SEAL = 'seal';
