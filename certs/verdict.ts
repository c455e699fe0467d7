// What verifying a signed PDF tells its reader. A verdict is data, never an
// exception: the city hub stores it per document and the PWA shows it.

export type Validity = 'valid' | 'invalid' | 'unknown';

export interface Reason { code: string; vi: string; en: string }

export interface SignatureVerdict {
  /** 0-based order of the signature in the file. */
  index: number;
  /** 'leader' for the signer's, 'agency' for the agency seal; from the certificate's role, else 'unknown'. */
  role: 'leader' | 'agency' | 'unknown';
  /** 'mapping' when the role is the admin's mapping for a certificate whose profile names none (absent: the certificate's own). */
  roleFrom?: 'mapping';
  signerName: string;
  /** Certificate subject and serial (hex) of the signing certificate. */
  subject: string;
  serial: string;
  /**
   * Signing time (ISO 8601): the signature timestamp's when there is a valid one (B-T), else the
   * time the signer claims: /M in the signature dictionary (PAdES B-B), or the CMS signing-time
   * attribute of signatures made before B-B.
   */
  signingTime: string | null;
  /** Where `signingTime` comes from: proven by a timestamp, or only claimed by the signer. */
  signingTimeSource?: 'timestamp' | 'claimed';
  /** The signature timestamp (B-T) in the CMS's unsigned attributes, if any. */
  timestamp?: TimestampVerdict;
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

/** An RFC 3161 timestamp: a signature's (over its value) or a document timestamp (over the file so far). */
export interface TimestampVerdict {
  status: Validity;
  genTime: string | null;
  tsaName: string;
  reasons: Reason[];
  /** Document timestamps: the revision they cover ends here. */
  coversBytes?: number;
}

export interface PdfVerdict {
  status: Validity;
  signatures: SignatureVerdict[];
  /** Document timestamps (/Type /DocTimeStamp) the city added after the signatures (PAdES B-LTA). */
  documentTimestamps?: TimestampVerdict[];
  /** Bytes after the last signature's range, and whether the workflow allows them. */
  trailingBytes: number;
  reasons: Reason[];
}
