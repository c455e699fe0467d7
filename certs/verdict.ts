// What verifying a signed PDF tells its reader. A verdict is data, never an
// exception: the city hub stores it per document and the PWA shows it.

export type Validity = 'valid' | 'invalid' | 'unknown';

export interface Reason { code: string; vi: string; en: string }

export interface SignatureVerdict {
  /** 0-based order of the signature in the file. */
  index: number;
  /** 'leader' for the signer's, 'agency' for the agency seal; from the certificate's role, else 'unknown'. */
  role: 'leader' | 'agency' | 'unknown';
  signerName: string;
  /** Certificate subject and serial (hex) of the signing certificate. */
  subject: string;
  serial: string;
  /** Signing time claimed in the signed attributes (ISO 8601). */
  signingTime: string | null;
  /** The byte range it covers ends at this offset (its revision). */
  coversBytes: number;
  /** 1-based revision of the file the signature covers (optional: added after the first verdicts). */
  revision?: number;
  integrity: Validity;
  chain: Validity;
  revocation: Validity;
  /** Worst of the three, plus the changes rule. */
  status: Validity;
  reasons: Reason[];
  /** What later revisions changed beyond the fields this signature declared (empty: nothing). */
  changes?: ChangeFound[];
  /** The declared fields later revisions filled: the clerk's number and date, the seal. */
  filled?: FieldFilled[];
}

/** One change after a signature that it did not allow: object, page, field, and old → new in `detail`. */
export interface ChangeFound {
  object: number;
  /** 1-based page the object belongs to, when it is reached from a page. */
  page?: number;
  field?: string;
  what: 'replaced' | 'added' | 'removed';
  detail: string;
}

/** A declared field given a value after the signature (for a signature field: its signature dictionary). */
export interface FieldFilled { field: string; old: string; new: string }

export interface PdfVerdict {
  status: Validity;
  signatures: SignatureVerdict[];
  /** Bytes after the last signature's range, and whether the workflow allows them. */
  trailingBytes: number;
  reasons: Reason[];
}
