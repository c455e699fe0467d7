// Outgoing and incoming numbers, assigned by the ward node alone. The number
// is part of the event's id (`ev:num:out:2026:chung:000012`), so the store
// itself refuses a second document with the same number, and because the
// ledger runs one command at a time, the next number is always last + 1: no
// gaps, no duplicates, also across a crash (the event is on disk or it is not).
import type { DocumentType } from '../sync/doc-types.js';
import { formatNumber, formatSymbol } from '../sync/numbering-format.js';
import { vnDate } from '../sync/vn-time.js';
import type { Config } from './config.js';
import type { Projection } from './projection.js';

export interface Assigned {
  eventId: string;
  registerKey: string;
  number: number;
  numberText: string;
  symbol: string | null;
  year: number;
}

export class Numbering {
  constructor(private readonly config: Config, private readonly projection: Projection) {}

  registerFor(docType: DocumentType): string {
    const exact = this.config.registers.find((r) => r.types.includes(docType));
    const fallback = this.config.registers.find((r) => r.types.includes('*'));
    return (exact ?? fallback ?? this.config.registers[0]!).key;
  }

  /** Must be called inside a ledger command, so nothing else numbers meanwhile. */
  nextOutgoing(now: Date, docType: DocumentType, unitCode: string | undefined): Assigned {
    const year = vnDate(now).year;
    const register = this.registerFor(docType);
    const registerKey = `out:${year}:${register}`;
    const number = this.projection.lastNumber(registerKey) + 1;
    return {
      eventId: `ev:num:${registerKey}:${String(number).padStart(6, '0')}`,
      registerKey, number, numberText: formatNumber(number), year,
      symbol: formatSymbol({ docType, agencyCode: this.config.ward.agencyCode, unitCode }),
    };
  }

  nextIncoming(now: Date): Assigned {
    const year = vnDate(now).year;
    const registerKey = `in:${year}`;
    const number = this.projection.lastNumber(registerKey) + 1;
    return { eventId: `ev:num:${registerKey}:${String(number).padStart(6, '0')}`, registerKey, number, numberText: formatNumber(number), symbol: null, year };
  }
}
