// An independent COSE implementation for cross-checks: @ldclabs/cose-ts (its own COSE structures on the cborg
// CBOR library, not cbor-x). Its ESM build uses extensionless imports that Node's loader refuses, so it is
// bundled with esbuild in memory and imported from a data: URL.
import { build } from 'esbuild';

export interface IndependentCose {
  /** Verify a COSE_Sign1 with an Ed25519 public key; returns the payload, throws if invalid. */
  verifySign1(publicKey: Uint8Array, message: Uint8Array): Uint8Array;
}

let loaded: Promise<IndependentCose> | undefined;

export function independentCose(): Promise<IndependentCose> {
  return (loaded ??= (async () => {
    const result = await build({
      stdin: {
        contents: `export { Ed25519Key } from '@ldclabs/cose-ts/ed25519'; export { Sign1Message } from '@ldclabs/cose-ts/sign1';`,
        resolveDir: process.cwd(),
        loader: 'js',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    return {
      verifySign1(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
        const key = mod.Ed25519Key.fromPublic(publicKey);
        return mod.Sign1Message.fromBytes(key, message).payload as Uint8Array;
      },
    };
  })());
}
