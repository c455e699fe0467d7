// Signing with the official's own token through `warddesk signer` on their
// PC (node/signer/): the app asks the node what to sign, the signer (on
// 127.0.0.1, which asks the PIN itself and shows what is signed) signs it
// with the token, and the app hands the signature back to the node, which
// records the step only once it verifies. The PIN never passes through here.
import { api, ApiError, type DocDetail } from './api.js';

/** Where the signer listens; `warddesk signer --port` changes it, and so does this device setting. */
export const signerUrl = (): string => localStorage.getItem('warddesk.signerUrl') ?? 'http://127.0.0.1:47443';

/** The token's certificates when a signer answers on this PC, null otherwise (no signer, another origin, no token). */
export async function probeSigner(): Promise<string[] | null> {
  try {
    const res = await fetch(`${signerUrl()}/v1/status`, { mode: 'cors', cache: 'no-store', signal: AbortSignal.timeout(2000) });
    if (!res.ok) return null;
    const body = await res.json() as { certificates?: unknown };
    return Array.isArray(body.certificates) && body.certificates.every((c) => typeof c === 'string') ? body.certificates as string[] : null;
  } catch { return null; }
}

export async function signWithToken(docId: string, certificates: string[]): Promise<DocDetail> {
  const prepared = await api.prepareSigning(docId, certificates);
  let res: Response;
  try {
    res = await fetch(`${signerUrl()}/v1/sign`, { method: 'POST', mode: 'cors', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ toSign: prepared.toSign, document: prepared.document }) });
  } catch { throw ApiError.of('token_absent'); }
  const body = await res.json().catch(() => null) as { signature?: string; code?: string; message?: { vi: string; en: string } } | null;
  if (!res.ok || !body?.signature) {
    if (body?.code && body.message) throw new ApiError(body.code, res.status, body.message.vi, body.message.en);
    throw ApiError.of('token_failed');
  }
  await api.completeSigning(prepared.signingId, body.signature);
  return api.get(docId);
}
