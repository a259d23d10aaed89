// Ground truth against verdicts. The simulator knows who sent every message and whether it was legitimate; the
// verifier does not. The tally pairs each sent copy with the verdict it got (by message hash, copies in the
// order they were sent, so a replayed copy gets the 'duplicate' verdict and the original keeps its own) and
// counts, per profile, what got through. A verdict revised at epoch close (neighbour review) replaces the
// verdict of the copy that was accepted.
import { createHash } from 'node:crypto';
import type { VerdictV1 } from '../verifier/types.js';
import type { Profile } from './profiles.js';

export interface SentCopy {
  profile: Profile;
  node: number;
  /** A legitimate reading (a genuine node's own reading, sent once): its rejection is a false rejection. */
  legit: boolean;
  status?: VerdictV1['status'];
  reason?: string;
}

export interface ProfileCounts {
  sent: number;
  accepted: number;
  rejected: number;
  recorded: number;
  byReason: Record<string, number>;
}

export class Tally {
  readonly #copies = new Map<string, SentCopy[]>();
  /** Copies sent and not yet judged. */
  #pending = 0;
  /** Verdicts that arrived before their copy was registered (a fast verifier): kept until it is. */
  readonly #early = new Map<string, VerdictV1[]>();
  #verdicts = 0;
  #unmatched = 0;

  static hashOf(message: Uint8Array): string {
    return createHash('sha256').update(message).digest('hex');
  }

  get pending(): number {
    return this.#pending;
  }
  get verdicts(): number {
    return this.#verdicts;
  }
  /** Verdicts for messages the simulator did not send (another fleet on the same broker). */
  get unmatched(): number {
    return this.#unmatched;
  }

  /** A copy is about to be published; returns a function to call if the publish fails (it then gets no verdict). */
  sent(message: Uint8Array, copy: Omit<SentCopy, 'status' | 'reason'>): () => void {
    const hash = Tally.hashOf(message);
    const entry: SentCopy = { ...copy };
    let list = this.#copies.get(hash);
    if (!list) this.#copies.set(hash, (list = []));
    list.push(entry);
    this.#pending++;
    const early = this.#early.get(hash);
    if (early?.length) {
      this.#apply(entry, early.shift()!);
      if (!early.length) this.#early.delete(hash);
    }
    return () => {
      if (entry.status !== undefined) return;
      const i = list!.indexOf(entry);
      if (i >= 0) list!.splice(i, 1);
      this.#pending--;
    };
  }

  verdict(v: VerdictV1, revised = false): void {
    const list = this.#copies.get(v.messageHash);
    if (revised) {
      const accepted = list?.find((c) => c.status === 'accepted' || c.status === 'recorded');
      if (accepted) {
        accepted.status = v.status;
        accepted.reason = v.reason;
      }
      return;
    }
    this.#verdicts++;
    const next = list?.find((c) => c.status === undefined);
    if (next) return this.#apply(next, v);
    if (!list) {
      let early = this.#early.get(v.messageHash);
      if (!early) this.#early.set(v.messageHash, (early = []));
      early.push(v);
      if (this.#early.size > 100_000) this.#early.delete(this.#early.keys().next().value!);
      return;
    }
    this.#unmatched++;
  }

  #apply(copy: SentCopy, v: VerdictV1): void {
    copy.status = v.status;
    copy.reason = v.reason;
    this.#pending--;
  }

  /** Counts per profile, and the honest false rejections. */
  counts(): { byProfile: Map<Profile, ProfileCounts>; legit: { sent: number; rejected: number; reasons: Record<string, number> } } {
    const byProfile = new Map<Profile, ProfileCounts>();
    const legit = { sent: 0, rejected: 0, reasons: {} as Record<string, number> };
    for (const list of this.#copies.values()) {
      for (const c of list) {
        let p = byProfile.get(c.profile);
        if (!p) byProfile.set(c.profile, (p = { sent: 0, accepted: 0, rejected: 0, recorded: 0, byReason: {} }));
        p.sent++;
        if (c.status === undefined) continue;
        if (c.status === 'accepted') p.accepted++;
        else if (c.status === 'rejected') p.rejected++;
        else p.recorded++;
        p.byReason[c.reason!] = (p.byReason[c.reason!] ?? 0) + 1;
        if (c.legit) {
          legit.sent++;
          if (c.status === 'rejected') {
            legit.rejected++;
            legit.reasons[c.reason!] = (legit.reasons[c.reason!] ?? 0) + 1;
          }
        }
      }
    }
    return { byProfile, legit };
  }
}
