// Payout owners are EVM addresses: the settlement's Merkle leaves are ABI-encoded `address` values
// (OpenZeppelin StandardMerkleTree, leaf = keccak256(keccak256(abi.encode(owner, amount)))).
// One canonical text form, lowercase 0x + 40 hex, so one person is one payout however the address was written.
// Same rule as the registry (src/verifier/registry/evm-account.ts normaliseAddress): any letter case is accepted,
// EIP-55 mixed-case checksums are not enforced here: letter case never changes which address it is, and the
// registry is where an owner is typed in and checked.
import { describe } from './arguments.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The canonical form of an owner address; throws TypeError naming `name` when `value` is not one. */
export function normaliseOwner(value: unknown, name: string): string {
  if (typeof value !== 'string' || !ADDRESS.test(value)) {
    throw new TypeError(`${name}: expected an EVM address (0x + 40 hex digits), got ${describe(value)}`);
  }
  return value.toLowerCase();
}

