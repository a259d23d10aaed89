// The serial console protocol between a node on the bench and `fieldproof provision-serial` (version 1).
// Lines of printable ASCII; everything else on the console (ESP-IDF boot messages, trace output) is ignored.
//   device -> bench   FP1 DEVICE id=<16 hex> pk=<64 hex> fw=<version> build=<hex>
//                     printed at boot and as the answer to FP1 HELLO; the secret key is never printed
//   bench -> device   FP1 HELLO
//   bench -> device   FP1 CLAIM owner=<0x + 40 hex> nonce=<32 hex> lat=<int microdegrees> lon=<int microdegrees> at=<Unix s>
//   device -> bench   FP1 CLAIMED <hex of the COSE_Sign1 OwnershipClaimV1>     or     FP1 ERROR <code> <text>
// The claim is the proof of possession the verifier needs to register the device (docs/PROTOCOL.md,
// src/verifier/registry/ownership-claim.ts): the device key signs the owner, site and the verifier's nonce. The
// device signs claims only during its provisioning window after power-up or in maintenance mode.
import { fromHex, toHex } from '../../src/core/bytes.js';
import { encodeCbor, type CborValue } from '../../src/core/cbor-codec.js';
import { signSign1 } from '../../src/core/cose-sign1.js';
import { deviceIdOf } from '../../src/core/device-id.js';
import type { Signer } from '../../src/core/signer.js';

export const CONSOLE_PREFIX = 'FP1';
/** Longest line either side accepts; longer input is dropped up to the next newline. */
export const MAX_CONSOLE_LINE = 600;

export interface DeviceBanner {
  deviceId: string;
  publicKey: string;
  firmwareVersion: string;
  firmwareBuild: string;
}

export interface ClaimRequest {
  owner: string;
  nonce: string;
  latE6: number;
  lonE6: number;
  signedAt: number;
}

export type ConsoleMessage =
  | { kind: 'device'; banner: DeviceBanner }
  | { kind: 'hello' }
  | { kind: 'claim'; request: ClaimRequest }
  | { kind: 'claimed'; claim: Uint8Array }
  | { kind: 'error'; code: string; text: string };

export function formatBanner(b: DeviceBanner): string {
  return `${CONSOLE_PREFIX} DEVICE id=${b.deviceId} pk=${b.publicKey} fw=${b.firmwareVersion} build=${b.firmwareBuild}`;
}

export function formatClaimRequest(r: ClaimRequest): string {
  return `${CONSOLE_PREFIX} CLAIM owner=${r.owner} nonce=${r.nonce} lat=${r.latE6} lon=${r.lonE6} at=${r.signedAt}`;
}

const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);
const INT = /^-?\d{1,10}$/;

/** Parse one console line; undefined for anything that is not a well-formed FP1 line. */
export function parseConsoleLine(line: string): ConsoleMessage | undefined {
  if (typeof line !== 'string' || line.length > MAX_CONSOLE_LINE) return undefined;
  const text = line.replace(/\r$/, '').trim();
  const words = text.split(' ');
  if (words[0] !== CONSOLE_PREFIX || words.length < 2) return undefined;
  const verb = words[1];
  const fields = new Map<string, string>();
  for (const word of words.slice(2)) {
    const eq = word.indexOf('=');
    if (eq > 0) fields.set(word.slice(0, eq), word.slice(eq + 1));
  }
  switch (verb) {
    case 'HELLO':
      return words.length === 2 ? { kind: 'hello' } : undefined;
    case 'DEVICE': {
      const id = fields.get('id') ?? '';
      const pk = fields.get('pk') ?? '';
      const fw = fields.get('fw') ?? '';
      const build = fields.get('build') ?? '';
      if (!HEX(16).test(id) || !HEX(64).test(pk) || !/^[\x21-\x7e]{1,32}$/.test(fw) || !/^(?:[0-9a-f]{2}){1,16}$/.test(build)) return undefined;
      if (toHex(deviceIdOf(fromHex(pk))) !== id) return undefined; // the id is derived from the key; a mismatch is noise
      return { kind: 'device', banner: { deviceId: id, publicKey: pk, firmwareVersion: fw, firmwareBuild: build } };
    }
    case 'CLAIM': {
      const owner = fields.get('owner') ?? '';
      const nonce = fields.get('nonce') ?? '';
      const lat = fields.get('lat') ?? '';
      const lon = fields.get('lon') ?? '';
      const at = fields.get('at') ?? '';
      if (!/^0x[0-9a-fA-F]{40}$/.test(owner) || !HEX(32).test(nonce) || !INT.test(lat) || !INT.test(lon) || !/^\d{1,12}$/.test(at)) return undefined;
      const latE6 = Number(lat);
      const lonE6 = Number(lon);
      if (Math.abs(latE6) > 90_000_000 || Math.abs(lonE6) > 180_000_000) return undefined;
      return { kind: 'claim', request: { owner, nonce, latE6, lonE6, signedAt: Number(at) } };
    }
    case 'CLAIMED': {
      const hex = words[2] ?? '';
      return words.length === 3 && /^(?:[0-9a-f]{2}){1,512}$/.test(hex) ? { kind: 'claimed', claim: fromHex(hex) } : undefined;
    }
    case 'ERROR':
      return words.length >= 3 && /^[a-z_]{1,32}$/.test(words[2]!) ? { kind: 'error', code: words[2]!, text: words.slice(3).join(' ') } : undefined;
    default:
      return undefined;
  }
}

/** Splits a byte or text stream into lines (LF or CRLF), dropping over-long lines and non-ASCII bytes. */
export class LineSplitter {
  #buffer = '';
  #discarding = false;
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : asciiOf(chunk);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) !== 10) continue;
      this.#end(text.slice(start, i));
      start = i + 1;
    }
    this.#append(text.slice(start));
  }

  #append(part: string): void {
    if (this.#discarding) return;
    this.#buffer += part;
    if (this.#buffer.length > MAX_CONSOLE_LINE) {
      this.#buffer = '';
      this.#discarding = true;
    }
  }

  #end(part: string): void {
    this.#append(part);
    const line = this.#buffer.replace(/\r$/, '');
    const discarded = this.#discarding;
    this.#buffer = '';
    this.#discarding = false;
    if (!discarded) this.#onLine(line);
  }
}

function asciiOf(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    text += b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) ? String.fromCharCode(b) : '?';
  }
  return text;
}

/**
 * The device side of FP1 CLAIM: OwnershipClaimV1 signed by the device key. Same CBOR map as
 * src/verifier/registry/ownership-claim.ts builds on the desktop (a test checks the bytes are identical):
 * {1: device id, 2: owner, 3: nonce, 4: lat microdegrees, 5: lon microdegrees, 6: signed at}.
 * The owner text is signed as sent; the bench tool sends it normalised (EIP-55), as the verifier compares it.
 */
export function signClaim(signer: Signer, request: ClaimRequest): Uint8Array {
  const payload = encodeCbor(
    new Map<number, CborValue>([
      [1, deviceIdOf(signer.publicKey)],
      [2, request.owner],
      [3, fromHex(request.nonce)],
      [4, request.latE6],
      [5, request.lonE6],
      [6, request.signedAt],
    ]),
  );
  return signSign1(payload, signer);
}
