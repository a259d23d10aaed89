// XS conformance: the firmware bundle (dist/firmware/fieldproof-core.js, as flashed) runs in Moddable's XS engine
// (an xsnap worker) and must produce the golden bytes exactly, and verify and reject as Node does.
// A FieldNode is built the way a device builds one (test/helpers/xs-driver.js); see test/helpers/xs-core.ts for
// how the ES module bundle becomes an xsnap script. If XS cannot start, the before hook fails the file.
import test from 'ava';
import type { GoldenInput } from '../../tools/golden-inputs.js';
import { bundleToScript, CORE_GLOBAL, firmwareBundle, SCRIPT_PROLOGUE, startXsCore, type XsCore } from '../helpers/xs-core.js';
import { loadVectors } from '../helpers/vectors.js';

interface Golden extends GoldenInput {
  publicKey: string;
  deviceId: string;
  payload: string;
  cose: string;
}

interface Signed {
  cose: string;
  payload: string;
}

const { vectors } = loadVectors<Golden>('golden-readings.json');

let xs: XsCore | undefined;

test.before(async () => {
  try {
    xs = await startXsCore({ name: 'xs-conformance' });
  } catch (error) {
    throw new Error(`XS conformance cannot run: the xsnap worker did not start. ${(error as Error).message}`, { cause: error });
  }
});

test.after.always(async () => {
  await xs?.close();
});

const worker = (): XsCore => {
  if (!xs) throw new Error('the xsnap worker is not running (see the before hook)');
  return xs;
};

const signInXs = async (v: Golden, window?: number): Promise<Signed> =>
  (
    await worker().call<Signed>('signReading', {
      secretKey: v.secretKey,
      seq: v.seq,
      time: v.time,
      firmware: v.firmware,
      flags: v.flags,
      values: v.values,
      window,
    })
  ).result;

test('the script XS runs is the firmware bundle with only the final export rewritten', async (t) => {
  const bundle = await firmwareBundle();
  const script = bundleToScript(bundle);
  const exportAt = bundle.lastIndexOf('\nexport {') + 1;
  t.true(script.startsWith(SCRIPT_PROLOGUE + bundle.slice(0, exportAt)));
  t.regex(script.slice(SCRIPT_PROLOGUE.length + exportAt), new RegExp(`^globalThis\\.${CORE_GLOBAL} = \\{[\\s\\w$:,]*\\};\\n?$`));
});

for (const v of vectors) {
  test(`XS signs the golden payload and COSE_Sign1 bytes exactly: ${v.name}`, async (t) => {
    const signed = await signInXs(v);
    t.is(signed.payload, v.payload);
    t.is(signed.cose, v.cose);
  });

  test(`XS verifies the golden COSE_Sign1 with its public key: ${v.name}`, async (t) => {
    t.true((await worker().call<boolean>('verify', { publicKey: v.publicKey, cose: v.cose })).result);
  });
}

test('XS rejects a golden COSE_Sign1 with one signature byte flipped', async (t) => {
  for (const v of vectors) {
    const bytes = Buffer.from(v.cose, 'hex');
    bytes[bytes.length - 64 + 10] ^= 0x01; // inside R, the first half of the 64-byte signature
    t.false((await worker().call<boolean>('verify', { publicKey: v.publicKey, cose: bytes.toString('hex') })).result, v.name);
  }
});

test('XS signs the same bytes with precompute windows 1, 4 and 6', async (t) => {
  for (const window of [1, 4, 6]) {
    for (const v of vectors) {
      const signed = await signInXs(v, window);
      t.is(signed.cose, v.cose, `window ${window}: ${v.name}`);
    }
  }
});
