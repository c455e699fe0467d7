// PAdES B-T at the clerk's step, when the ward's setting asks for it
// (config city.timestampSignatures): a signature timestamp from the city TSA
// over the agency signature just made. The city may be unreachable (the LAN
// is enough for daily work): then the document is issued B-B, as before, and
// the official sees no failure; the city adds a document timestamp when the
// PDF reaches it (hub LTV copy).
import { readFile } from 'node:fs/promises';
import { addSignatureTimestamp } from '../certs/pdf-timestamp.js';
import { httpTimestamper } from '../certs/tsa-client.js';
import { WardCredentials } from '../sync/city-contract.js';

export interface TimestampSetting { timestampSignatures: boolean; credentialsFile?: string | undefined; url?: string | undefined }

/** The PDF with a signature timestamp on its last signature, or as it was (and why not). */
export async function timestampIfReachable(pdf: Buffer, city: TimestampSetting, timeoutMs = 3000): Promise<{ pdf: Buffer; timestamped: boolean; why?: string }> {
  if (!city.timestampSignatures || !city.credentialsFile) return { pdf, timestamped: false, why: 'off' };
  try {
    const creds = WardCredentials.parse(JSON.parse(await readFile(city.credentialsFile, 'utf8')));
    const url = city.url ?? creds.url;
    if (!url) return { pdf, timestamped: false, why: 'no city url' };
    const base = url.replace(/\/+$/, '');
    const authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    return { pdf: await addSignatureTimestamp(pdf, httpTimestamper(`${base}/_tsa`, { authorization }, timeoutMs)), timestamped: true };
  } catch (err) {
    return { pdf, timestamped: false, why: (err as { code?: string }).code ?? (err as Error).message };
  }
}
