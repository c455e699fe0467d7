// A certificate's subject as attributes (OID, short name, value) and what its
// profile says about who holds it. Node's X509Certificate gives the subject
// only as OpenSSL's printed text (escaped, unknown OIDs in dotted form), so
// the RDNs are read from the DER with node-forge's ASN.1 parser, as
// cert-extensions.ts does for key usage.
//
// Personal vs organisation certificate, for certificates carrying no WardDesk
// role (the Government's specialised CA, a commercial CA). The heuristic
// follows how Vietnamese government-CA profiles differ (the subject layouts
// seen on Ban Cơ yếu Chính phủ / CA chuyên dùng certificates and in the
// commercial CAs' certificate policies under Circular 16/2019/TT-BTTTT):
//  - a personal (official's) certificate names a person: CN = the person's
//    name, often a title (T), givenName/surname, and a personal identifier
//    in UID or serialNumber ("CMND:…", "CCCD:…", "HC:…" passport);
//  - an organisation certificate names the agency: CN = the organisation
//    (often equal to O), an organisation identifier in organizationIdentifier
//    (2.5.4.97) or in UID ("MST:…" tax code, "MNS:…" budget-unit code), and
//    no personal markers.
// Only one side's markers → that role; both or neither → unknown, and the
// admin must map the certificate explicitly at import (audited).
import type { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;
const kids = (n: Node | undefined): Node[] => (Array.isArray(n?.value) ? n.value : []);

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'T', '2.5.4.42': 'GN', '2.5.4.65': 'pseudonym', '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID', '1.2.840.113549.1.9.1': 'emailAddress',
};

export interface SubjectAttr { oid: string; short: string; value: string }

/** The subject's attributes in order; values decoded from UTF8String, BMPString or the 8-bit string types. */
export function readSubject(cert: X509Certificate): SubjectAttr[] {
  const tbs = kids(kids(asn1.fromDer(forge.util.createBuffer(Buffer.from(cert.raw).toString('binary'))))[0]);
  const v = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const out: SubjectAttr[] = [];
  for (const rdn of kids(tbs[4 + v])) {
    for (const atv of kids(rdn)) {
      const [oidNode, valueNode] = kids(atv);
      if (!oidNode || !valueNode || typeof valueNode.value !== 'string') continue;
      const oid = asn1.derToOid(oidNode.value as string);
      const raw = Buffer.from(valueNode.value, 'binary');
      const value = valueNode.type === asn1.Type.UTF8 ? raw.toString('utf8')
        : valueNode.type === asn1.Type.BMPSTRING ? Buffer.from(raw).swap16().toString('utf16le') : raw.toString('latin1');
      out.push({ oid, short: SHORT[oid] ?? oid, value });
    }
  }
  return out;
}

export const subjectValues = (attrs: SubjectAttr[], short: string): string[] => attrs.filter((a) => a.short === short).map((a) => a.value);

/** Agency names compare as a person reads them: Unicode NFC, spaces collapsed, case ignored (Vietnamese case rules). */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleUpperCase('vi');
  return norm(a) === norm(b);
}

const PERSONAL_ID = /^(CMND|CCCD|CMT|HC|PASSPORT)\s*[:\-]/i;
const ORGANISATION_ID = /^(MST|MNS|MDVQHNS|MSDN)\s*[:\-]/i;

export type ProfileKind = 'personal' | 'organisation' | 'unknown';

/** Personal (an official) or organisation (an agency seal) certificate, from the subject alone; see the heading. */
export function profileKind(attrs: SubjectAttr[]): ProfileKind {
  const ids = [...subjectValues(attrs, 'UID'), ...subjectValues(attrs, 'serialNumber')];
  const cn = subjectValues(attrs, 'CN');
  const o = subjectValues(attrs, 'O');
  const personal = attrs.some((a) => a.short === 'GN' || a.short === 'SN' || a.short === 'T' || a.short === 'pseudonym') || ids.some((v) => PERSONAL_ID.test(v));
  const organisation = attrs.some((a) => a.short === 'organizationIdentifier') || ids.some((v) => ORGANISATION_ID.test(v))
    || (cn.length > 0 && o.some((org) => cn.some((c) => sameName(c, org))));
  if (personal === organisation) return 'unknown';
  return personal ? 'personal' : 'organisation';
}
