import type { Command } from 'commander';
import { closeEpoch, recomputeEpoch } from '../verifier/epoch-close.js';
import { proveOwner, verifyPayout } from '../verifier/rewards/settlement.js';
import { readVerifierConfigFile, resolveVerifierConfig, type VerifierConfig } from '../verifier/verifier-config.js';
import { openLedger } from '../verifier/verifier-service.js';
import type { Ledger } from '../verifier/ledger/ledger.js';

type LedgerOpts = { config?: string; dataDir?: string; database?: string };

async function withLedger<T>(opts: LedgerOpts, fn: (ledger: Ledger, config: VerifierConfig) => Promise<T>): Promise<T> {
  const config = resolveVerifierConfig(opts.config ? readVerifierConfigFile(opts.config) : {}, { dataDir: opts.dataDir, database: opts.database });
  const ledger = openLedger(config, { recordsVerdicts: false }); // no ingest here: no writer thread
  await ledger.open();
  try {
    return await fn(ledger, config);
  } finally {
    await ledger.close();
  }
}

const epochArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`epoch: a non-negative integer (got ${value})`);
  return n;
};

const print = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
};

export function registerRewards(program: Command): void {
  const rewards = program.command('rewards').description('epoch settlements: close, show, prove, recompute');
  const ledgerOptions = (c: Command) =>
    c
      .option('-c, --config <file>', 'the verifier config (its reward and quality rules)')
      .option('-d, --data-dir <dir>', 'data directory of the embedded ledger')
      .option('--database <url>', 'postgresql:// URL of the ledger');

  ledgerOptions(rewards.command('close').description('close an ended epoch: neighbour review, shares, Merkle root (once)').argument('<epoch>', 'epoch number', epochArg)).action(
    async (epoch: number, opts: LedgerOpts) =>
      withLedger(opts, async (ledger, config) => {
        const r = await closeEpoch(ledger, epoch, { rewards: config.rewards, quality: config.quality, graceS: config.closeGraceS, now: Date.now() });
        print({ epoch, created: r.created, root: r.settlement.root, total: r.settlement.total, payouts: r.settlement.payouts.length });
      }),
  );
  ledgerOptions(rewards.command('show').description('list closed epochs, or one epoch with its payouts and shares').argument('[epoch]', 'epoch number', epochArg)).action(
    async (epoch: number | undefined, opts: LedgerOpts) =>
      withLedger(opts, async (ledger) => {
        if (epoch === undefined) return print(await ledger.listSettlements());
        const s = await ledger.getSettlement(epoch);
        if (!s) throw new Error(`epoch ${epoch} is not closed`);
        print({ epoch, root: s.root, total: s.total, payouts: s.payouts, shares: await ledger.getShares(epoch) });
      }),
  );
  ledgerOptions(
    rewards
      .command('prove')
      .description("the Merkle proof of an owner's payout in an epoch (for the on-chain distributor)")
      .argument('<owner>', 'payout address')
      .requiredOption('-e, --epoch <epoch>', 'epoch number', epochArg),
  ).action(async (owner: string, opts: LedgerOpts & { epoch: number }) =>
    withLedger(opts, async (ledger) => {
      const s = await ledger.getSettlement(opts.epoch);
      if (!s) throw new Error(`epoch ${opts.epoch} is not closed`);
      const proof = proveOwner(s, owner);
      if (!proof) throw new Error(`no payout for ${owner} in epoch ${opts.epoch}`);
      print({ epoch: opts.epoch, root: s.root, owner: owner.toLowerCase(), ...proof, verifies: verifyPayout(s.root, owner, proof.amount, proof.proof) });
    }),
  );
  ledgerOptions(rewards.command('recompute').description('rebuild an epoch from stored inputs and compare with its stored root').argument('<epoch>', 'epoch number', epochArg)).action(
    async (epoch: number, opts: LedgerOpts) =>
      withLedger(opts, async (ledger, config) => {
        const r = await recomputeEpoch(ledger, epoch, { rewards: config.rewards, quality: config.quality });
        if (!r.stored) throw new Error(`epoch ${epoch} is not closed`);
        print({ epoch, storedRoot: r.stored.root, recomputedRoot: r.recomputed!.root, matches: r.matches });
        if (!r.matches) process.exitCode = 1;
      }),
  );
}
