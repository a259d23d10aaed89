// Golden readings: fixed inputs -> exact bytes. Checked three ways: this core reproduces them on Node, an
// independent COSE implementation (@ldclabs/cose-ts, its own CBOR) verifies them with only the public key,
// and OpenSSL (node:crypto) verifies the Ed25519 signature over the RFC 9052 Sig_structure.
import test from 'ava';
import { createPublicKey, verify } from 'node:crypto';
import { fromHex, toHex } from '../../src/core/bytes.js';
import { decodeSign1, sigStructure, signSign1 } from '../../src/core/cose-sign1.js';
import { deviceIdOf } from '../../src/core/device-id.js';
import { decodeReading, encodeReading, type MeasurementV1 } from '../../src/core/reading.js';
import { fromWire, quantityByName, toWire, type QuantityName } from '../../src/core/quantities.js';
import { createNobleSigner } from '../../src/core/signer.js';
import type { GoldenInput } from '../../tools/golden-inputs.js';
import { independentCose } from '../helpers/independent-cose.js';
import { loadVectors } from '../helpers/vectors.js';

interface Golden extends GoldenInput {
  publicKey: string;
  deviceId: string;
  payload: string;
  cose: string;
}

const { vectors } = loadVectors<Golden>('golden-readings.json');

const measurementsOf = (values: Record<string, number>): MeasurementV1[] =>
  Object.entries(values).map(([quantity, value]) => ({ quantity: quantity as QuantityName, value, unit: quantityByName(quantity)!.unit }));

for (const v of vectors) {
  test(`node core reproduces the golden bytes: ${v.name}`, (t) => {
    const signer = createNobleSigner(fromHex(v.secretKey));
    t.is(toHex(signer.publicKey), v.publicKey);
    t.is(toHex(deviceIdOf(signer.publicKey)), v.deviceId);
    const payload = encodeReading({
      deviceId: deviceIdOf(signer.publicKey),
      seq: v.seq,
      time: v.time,
      measurements: measurementsOf(v.values),
      firmware: fromHex(v.firmware),
      flags: v.flags,
    });
    t.is(toHex(payload), v.payload);
    t.is(toHex(signSign1(payload, signer)), v.cose);
  });

  test(`an independent COSE library verifies it with only the public key: ${v.name}`, async (t) => {
    const cose = await independentCose();
    t.is(toHex(cose.verifySign1(fromHex(v.publicKey), fromHex(v.cose))), v.payload);
    const tampered = fromHex(v.cose);
    tampered[tampered.length - 70] ^= 1; // a payload byte
    t.throws(() => cose.verifySign1(fromHex(v.publicKey), tampered));
  });

  test(`OpenSSL verifies the signature over the RFC 9052 Sig_structure: ${v.name}`, (t) => {
    const envelope = decodeSign1(fromHex(v.cose));
    if (!envelope.ok) return t.fail(envelope.detail);
    const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), fromHex(v.publicKey)]), format: 'der', type: 'spki' });
    t.true(verify(null, sigStructure(envelope.parts.protectedBytes, envelope.parts.payload), spki, envelope.parts.signature));
  });

  test(`decodes back to the inputs: ${v.name}`, (t) => {
    const decoded = decodeReading(fromHex(v.payload));
    if (!decoded.ok) return t.fail(`${decoded.reason}: ${decoded.detail}`);
    const r = decoded.reading;
    t.is(toHex(r.deviceId), v.deviceId);
    t.is(r.seq, v.seq);
    t.is(r.time, v.time);
    t.deepEqual(r.flags, v.flags);
    const byName = Object.fromEntries(r.measurements.map((m) => [m.quantity, m.value]));
    // values come back at the wire's resolution (pressure in steps of 10 Pa, etc.)
    for (const [name, value] of Object.entries(v.values)) {
      const q = quantityByName(name)!;
      t.is(byName[name], fromWire(q, toWire(q, value)), name);
      t.true(Math.abs(byName[name]! - value) <= 10 ** q.exponent / 2 + 1e-9, name);
    }
  });
}
