import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Chain, parseChain } from '../crypto/addresses.js';
import type { UserAttributionFormat } from '../crypto/attribution-user.js';
import { screenMany } from '../crypto/screen.js';
import {
  addUserAttribution,
  attributionIndex,
  clusterFromStore,
  exposureFromStore,
  importAttribution,
  importTransferFile,
  screenFromStore,
  traceFromStore,
} from '../crypto/service.js';
import type { TraceMethod } from '../crypto/trace.js';
import { UserError } from '../errors.js';
import { ingestBtcRpc } from '../ingest/btc-rpc.js';
import { ingestEsplora } from '../ingest/esplora.js';
import { type InternalMode, ingestEthRpc } from '../ingest/eth-rpc.js';
import { printTable, progress, withStore } from './context.js';

const METHODS = ['poison', 'haircut', 'fifo'];

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UserError(`${name}: expected a whole number >= 0, got "${v}"`);
    return n;
  };
}

function method(v: string | undefined): TraceMethod | undefined {
  if (v === undefined) return undefined;
  if (!METHODS.includes(v)) throw new UserError(`--method: one of ${METHODS.join(', ')}, got "${v}"`);
  return v as TraceMethod;
}

const userTagged = (tags: Array<{ source: string }>) => tags.some((t) => t.source.startsWith('user:'));
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const out = (doc: unknown) =>
  process.stdout.write(`${JSON.stringify(doc, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);

/** `watchkeeper crypto ...` commands. */
export function register(program: Command): void {
  const crypto = program
    .command('crypto')
    .description('crypto: import transfers and attribution, screen addresses, trace funds, measure exposure')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper crypto attribution\n' +
        '  watchkeeper crypto screen 0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n' +
        '  watchkeeper crypto trace --from 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --method haircut\n',
    );

  crypto
    .command('import')
    .description('import transfers: a CSV/JSONL file, an Ethereum node, a Bitcoin Core node or an Esplora server')
    .argument('[file]', 'CSV or JSONL transfers (or the Dune Lazarus export)')
    .option('--eth-rpc <url>', 'Ethereum JSON-RPC endpoint')
    .option('--btc-rpc <url>', 'Bitcoin Core JSON-RPC endpoint (http://user:pass@host:8332)')
    .option('--esplora <url>', 'Esplora REST base URL (e.g. https://blockstream.info/api)')
    .option('--from-block <n>', 'first block (height)', int('--from-block'))
    .option('--to-block <n>', 'last block (height), default the node head', int('--to-block'))
    .option('--address <addr>', 'only transfers touching this address (repeatable; Esplora: address history)', collect)
    .option('--tx <txid>', 'Esplora: this transaction (repeatable)', collect)
    .option('--internal <mode>', 'Ethereum internal transfers: auto, trace_block, debug, none', 'auto')
    .option('--batch <n>', 'blocks per JSON-RPC batch and store transaction', int('--batch'))
    .option('--chain <chain>', 'chain for file rows without one (eth, btc, ltc, trx)', 'eth')
    .option('--skip-bad', 'import the good rows of a file and report the bad ones')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper crypto import data/crypto/traces/dspytdao_LazarusTabularTxs1322519.csv\n' +
        '  watchkeeper crypto import --eth-rpc http://127.0.0.1:8545 --from-block 0 --to-block 500\n' +
        '  watchkeeper crypto import --btc-rpc http://user:pass@127.0.0.1:8332 --from-block 800000 --to-block 800010\n' +
        '  watchkeeper crypto import --esplora https://blockstream.info/api --address 3LU8wRu4ZnXP4UM8Yo6kkTiGHM9BubgyiG\n',
    )
    .action(async function (
      this: Command,
      file: string | undefined,
      o: {
        ethRpc?: string;
        btcRpc?: string;
        esplora?: string;
        fromBlock?: number;
        toBlock?: number;
        address?: string[];
        tx?: string[];
        internal: string;
        batch?: number;
        chain: string;
        skipBad?: boolean;
        json?: boolean;
      },
    ) {
      const sources = [file, o.ethRpc, o.btcRpc, o.esplora].filter(Boolean);
      if (sources.length !== 1)
        throw new UserError('crypto import: give exactly one of FILE, --eth-rpc, --btc-rpc, --esplora');
      await withStore(this, async (store) => {
        if (file) {
          const r = await importTransferFile(store, file, { chain: parseChain(o.chain), skipBad: o.skipBad });
          if (o.json) return out(r);
          process.stdout.write(
            `${r.created ? 'imported' : 'already imported'} ${r.transfers.toLocaleString('en-US')} transfers from ${file} (${r.format}, ${r.importId})\n`,
          );
          for (const x of r.rejected.slice(0, 20)) process.stderr.write(`skipped ${x.where}: ${x.reason}\n`);
          return;
        }
        if (o.fromBlock === undefined && !o.esplora)
          throw new UserError('--from-block is required with --eth-rpc and --btc-rpc');
        if (o.ethRpc) {
          const p = progress('eth-rpc');
          let txs = 0;
          const r = await ingestEthRpc({
            rpc: o.ethRpc,
            fromBlock: o.fromBlock!,
            toBlock: o.toBlock,
            internal: o.internal as InternalMode,
            addresses: o.address,
            batchBlocks: o.batch,
            store,
            onBatch: (b) => {
              txs += b.txs;
              p.tick(txs);
            },
          });
          p.done(`${r.blocks} blocks, ${r.txs} txs`);
          if (o.json) return out(r);
          process.stdout.write(
            `blocks ${r.fromBlock}..${r.toBlock}: ${r.blocks} imported, ${r.skippedBlocks} already stored, ${r.reorgedBlocks} replaced by a reorg; ` +
              `${r.txs} txs → ${r.transfers.native} native, ${r.transfers.internal} internal (${r.internalMode}), ${r.transfers.token} token transfers; ${r.retries} retries\n`,
          );
          return;
        }
        if (o.btcRpc) {
          const r = await ingestBtcRpc({
            rpc: o.btcRpc,
            fromHeight: o.fromBlock!,
            toHeight: o.toBlock,
            batchBlocks: o.batch,
            store,
          });
          if (o.json) return out(r);
          process.stdout.write(
            `${r.blocks} blocks, ${r.txs} transactions imported (${r.skippedTxs} already stored), verbosity ${r.verbosity}, ${r.unresolvedInputs} inputs without a known prevout\n`,
          );
          return;
        }
        const r = await ingestEsplora({ url: o.esplora!, txids: o.tx, addresses: o.address, store });
        if (o.json) return out(r);
        process.stdout.write(
          `${r.txs} transactions imported (${r.skippedTxs} already stored, ${r.unconfirmed} unconfirmed skipped)\n`,
        );
      });
    });

  const attribution = crypto
    .command('attribution')
    .description('import the bundled attribution: OFAC SDN addresses, FBI Lazarus addresses, GraphSense TagPacks')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper crypto attribution\n' +
        '  watchkeeper crypto attribution --json\n' +
        '  watchkeeper crypto attribution add bybit-fbi-psa.txt --actor TraderTraitor\n',
    )
    .option('--packs <names>', 'only these TagPacks (comma-separated file names without .yaml)')
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, o: { packs?: string; json?: boolean }) {
      await withStore(this, async (store) => {
        const p = progress('attribution');
        const r = await importAttribution(store, { packs: o.packs?.split(',').map((s) => s.trim()) });
        p.done(`${r.tags} tags`);
        if (o.json) return out(r);
        process.stdout.write(
          `${r.created ? 'imported' : 'already imported'} ${r.tags.toLocaleString('en-US')} tags (${r.entities} SDN entities, ${r.wallets} listed wallets); ` +
            `${r.rejected.length} invalid addresses skipped, ${Object.values(r.unsupported).reduce((s, n) => s + n, 0)} on unmodelled chains\n`,
        );
        printTable(Object.entries(r.sources).map(([source, tags]) => ({ source, tags })));
      });
    });

  attribution
    .command('add')
    .description(
      'add your own attribution beside the bundled packs: a GraphSense TagPack (.yaml), a CSV ' +
        'address,chain,actor,label,source_url, or a list of addresses (one per line) with --actor',
    )
    .argument('<file>', 'TagPack YAML, CSV or address list')
    .option('--actor <name>', 'actor of every address of a list (default for CSV rows without one)')
    .option('--label <text>', 'label for rows without one (default: the actor)')
    .option('--name <name>', 'pack name: tags get source user:<name> (default: the file name)')
    .option('--format <format>', 'tagpack, csv or list (default: detected)')
    .option('--confidence <level>', 'GraphSense confidence level (authority_data, forensic, manual_check, ...)')
    .option('--dprk', 'mark the addresses as DPRK-attributed (implied by Lazarus/TraderTraitor/APT38 actor names)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper crypto attribution add bybit-fbi-psa.txt --actor TraderTraitor --label "Bybit theft (FBI PSA 2025-02-26)"\n' +
        '  watchkeeper crypto attribution add my-cases.csv\n' +
        '  watchkeeper crypto attribution add exchange-deposits.yaml --name team-tags\n',
    )
    .action(async function (
      this: Command,
      file: string,
      o: {
        actor?: string;
        label?: string;
        name?: string;
        format?: string;
        confidence?: string;
        dprk?: boolean;
        json?: boolean;
      },
    ) {
      if (o.format && !['tagpack', 'csv', 'list'].includes(o.format))
        throw new UserError(`--format: one of tagpack, csv, list, got "${o.format}"`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UserError(`${file}: cannot read: ${(e as Error).message}`);
      }
      await withStore(this, async (store) => {
        const r = await addUserAttribution(store, file, text, {
          actor: o.actor,
          label: o.label,
          name: o.name,
          format: o.format as UserAttributionFormat | undefined,
          confidence: o.confidence,
          dprk: o.dprk,
        });
        // `attribution` itself has --json: commander gives a --json after `add FILE` to it.
        if (o.json || this.parent?.opts().json) return out(r);
        if (r.bundledImported) process.stderr.write('bundled attribution imported first (the store had none)\n');
        process.stdout.write(
          `${r.created ? 'added' : 'already added'} ${r.tags} tags as ${r.source} (${r.format}, sha256 ${r.sha256}); ` +
            `${r.dprk} DPRK-attributed; ${r.rejected.length} rows skipped\n`,
        );
        for (const [entityId, n] of Object.entries(r.linked))
          process.stdout.write(`  linked to ${entityId}: ${n} addresses\n`);
        for (const x of r.rejected.slice(0, 20)) process.stdout.write(`  ${x.where}: ${x.reason}\n`);
      });
    });

  crypto
    .command('screen')
    .description('exact list hits (with the SDN entity), tags, and listed direct counterparties of addresses')
    .argument('[addresses...]', 'addresses (any supported chain; the chain is detected)')
    .option('--file <file>', 'screen the addresses in this file (one per line): counts and hits only')
    .option('--chain <chain>', 'chain hint (eth, btc, ltc, trx)')
    .option(
      '--no-strict',
      'with --file: check only the shape of addresses without a hit (faster; a mistyped address then counts as clean)',
    )
    .option('--save', 'store crypto.sanctioned_counterparty findings')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper crypto screen 0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n  watchkeeper crypto screen --file deposits.txt\n',
    )
    .action(async function (
      this: Command,
      addresses: string[],
      o: { file?: string; chain?: string; strict?: boolean; save?: boolean; json?: boolean },
    ) {
      const chain: Chain | undefined = o.chain ? parseChain(o.chain) : undefined;
      await withStore(this, async (store) => {
        if (o.file) {
          const index = await attributionIndex(store);
          // One address per line; blank lines are skipped but keep the line numbers of the others.
          const inputs: string[] = [];
          const lineOf: number[] = [];
          readFileSync(o.file, 'utf8')
            .split('\n')
            .forEach((l, i) => {
              const t = l.trim();
              if (t === '') return;
              inputs.push(t);
              lineOf.push(i + 1);
            });
          const res = screenMany(index, inputs, chain, { strict: o.strict !== false });
          const r = {
            ...res,
            invalidRows: res.invalidRows.map((x) => ({ ...x, row: lineOf[x.row - 1] ?? x.row })),
          };
          if (o.json) return out(r);
          process.stdout.write(
            `${r.screened.toLocaleString('en-US')} screened, ${r.invalid} invalid, ${r.hits.length} hits\n`,
          );
          for (const x of r.invalidRows.slice(0, 20))
            process.stdout.write(`${o.file}:${x.row}: invalid address "${x.input}": ${x.reason}\n`);
          if (r.invalid > 20)
            process.stdout.write(`... ${r.invalid - 20} more invalid rows (--json lists up to 1,000)\n`);
          printTable(
            r.hits.map((h) => ({
              address: h.address,
              listed: h.listed,
              dprk: h.dprk,
              entity: h.entities.map((e) => `${e.name} (${e.entityId})`),
            })),
          );
          return;
        }
        if (addresses.length === 0) throw new UserError('crypto screen: give addresses or --file');
        const r = await screenFromStore(store, addresses, { chain, save: o.save });
        if (o.json) return out(r);
        for (const x of r.results) {
          if (!x.valid) {
            process.stdout.write(`${x.input}: invalid address: ${x.reason}\n`);
            continue;
          }
          const ent = x.entities.map((e) => `${e.name} (${e.entityId}, ${e.programs.join(' ')})`).join('; ');
          process.stdout.write(
            `${x.address} [${x.chain}]: ${x.listed ? `LISTED: ${ent}` : x.dprk ? `DPRK-attributed${ent ? `: ${ent}` : ''}` : userTagged(x.tags) ? 'ATTRIBUTED (user pack), no list hit' : 'no list hit'}\n`,
          );
          for (const t of x.tags)
            process.stdout.write(
              `  tag: ${t.label} (${t.category}, ${t.source}${t.source.startsWith('user:') ? `, ${t.sourceRecord}` : ''})\n`,
            );
          for (const c of x.counterparties ?? []) {
            process.stdout.write(
              `  listed counterparty (${c.direction}): ${c.address} ${c.label}${c.entityId ? ` (${c.entityId})` : ''}, ${c.transfers} transfers, ${Object.entries(
                c.totals,
              )
                .map(([a, v]) => `${v} ${a}`)
                .join(', ')}\n`,
            );
          }
        }
        if (o.save) process.stdout.write(`${r.findings.length} findings stored\n`);
      });
    });

  crypto
    .command('trace')
    .description('follow funds forward (where they went) or backward (where they came from)')
    .option('--from <addr>', 'seed address (repeatable)', collect)
    .option('--tx <hash>', 'seed transaction: its transfers are tainted (repeatable, forward)', collect)
    .option('--chain <chain>', 'eth, btc, ltc, trx', 'eth')
    .option('--asset <asset>', 'native (default) or a token contract address')
    .option('--method <method>', 'poison, haircut or fifo', 'haircut')
    .option('--direction <dir>', 'forward or backward', 'forward')
    .option('--hops <n>', 'maximum hops', int('--hops'), 6)
    .option('--min-amount <x>', 'do not follow tainted flows smaller than this (asset units)')
    .option('--since <time>', 'only transfers at or after this ISO time')
    .option('--until <time>', 'only transfers at or before this ISO time')
    .option('--limit <n>', 'edges and nodes listed in the output', int('--limit'), 10_000)
    .option('--save', 'store a crypto.trace finding')
    .option('--json', 'print the full trace graph as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper crypto trace --from 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --method haircut --hops 4\n' +
        '  watchkeeper crypto trace --from 34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo --chain btc --direction backward --json\n',
    )
    .action(async function (
      this: Command,
      o: {
        from?: string[];
        tx?: string[];
        chain: string;
        asset?: string;
        method: string;
        direction: string;
        hops: number;
        minAmount?: string;
        since?: string;
        until?: string;
        limit: number;
        save?: boolean;
        json?: boolean;
      },
    ) {
      if (o.direction !== 'forward' && o.direction !== 'backward')
        throw new UserError('--direction: forward or backward');
      const m = method(o.method);
      await withStore(this, async (store) => {
        const r = await traceFromStore(store, {
          chain: parseChain(o.chain),
          from: o.from,
          txs: o.tx,
          asset: o.asset,
          method: m,
          direction: o.direction as 'forward' | 'backward',
          hops: o.hops,
          minAmount: o.minAmount,
          since: o.since,
          until: o.until,
          limit: o.limit,
          save: o.save,
        });
        if (o.json) return out(r);
        const t = r.totals;
        process.stdout.write(
          `${r.direction} ${r.method} trace, ${r.params.maxHops} hops, ${r.asset}: ${r.counts.edges} tainted transfers, ${r.counts.nodes} addresses\n` +
            `start ${t.start}; at services ${t.atServices}; held ${t.held}; stopped at hop limit ${t.hopLimit}; below minimum ${t.belowMin}` +
            `${r.direction === 'backward' ? `; untracked origin ${t.untracked}` : `; back to seeds ${t.returned}`}` +
            `${t.poisonedClean !== '0' ? `; clean funds tainted by poison ${t.poisonedClean}` : ''}\n\n` +
            `${r.direction === 'forward' ? 'Where the funds ended up' : 'Where the funds came from'}:\n`,
        );
        printTable(r.byService);
        if (r.listedReached.length > 0) {
          process.stdout.write('\nListed / DPRK-attributed addresses reached:\n');
          printTable(r.listedReached);
        }
        if (r.mixers.length > 0) {
          process.stdout.write('\nMixers and bridges passed:\n');
          printTable(r.mixers);
        }
        for (const c of r.peelChains)
          process.stdout.write(
            `\npeel chain of ${c.peels.length} peels (${c.peeledTotal} ${r.asset} peeled): ${c.path.join(' → ')}\n`,
          );
        if (r.finding) process.stdout.write(`\nfinding ${r.finding.id} stored\n`);
      });
    });

  crypto
    .command('exposure')
    .description(
      'share of what an address (or its Bitcoin cluster) received that traces back to listed or DPRK sources',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper crypto exposure 0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n' +
        '  watchkeeper crypto exposure 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --method poison --hops 6 --json\n',
    )
    .argument('<address>')
    .option('--chain <chain>', 'chain hint')
    .option('--asset <asset>', 'native (default) or a token contract address')
    .option('--method <method>', 'haircut (default) or poison (upper bound), fifo', 'haircut')
    .option('--hops <n>', 'maximum hops', int('--hops'), 4)
    .option('--cluster', 'Bitcoin: measure the whole multi-input cluster (run crypto cluster first)')
    .option('--save', 'store a crypto.exposure finding')
    .option('--json', 'print JSON')
    .action(async function (
      this: Command,
      address: string,
      o: {
        chain?: string;
        asset?: string;
        method: string;
        hops: number;
        cluster?: boolean;
        save?: boolean;
        json?: boolean;
      },
    ) {
      await withStore(this, async (store) => {
        const r = await exposureFromStore(store, address, {
          chain: o.chain ? parseChain(o.chain) : undefined,
          asset: o.asset,
          method: method(o.method),
          hops: o.hops,
          cluster: o.cluster,
          save: o.save,
        });
        if (o.json) return out(r);
        process.stdout.write(
          `${r.targets.join(', ')}: received ${r.received} ${r.asset}, exposed ${r.exposed} (${(r.share * 100).toFixed(2)}%): ` +
            `direct ${r.direct.amount}, indirect ${r.indirect.amount} (${r.method}, ${r.maxHops} hops)\n`,
        );
        printTable(r.byHop);
        if (r.sources.length > 0) {
          process.stdout.write('\nSources:\n');
          printTable(r.sources);
        }
        if (r.finding) process.stdout.write(`\nfinding ${r.finding.id} stored\n`);
      });
    });

  crypto
    .command('cluster')
    .description('cluster Bitcoin addresses by common inputs (CoinJoin-like transactions excluded)')
    .addHelpText(
      'after',
      '\nExamples:\n' + '  watchkeeper crypto cluster\n' + '  watchkeeper crypto cluster --chain ltc\n',
    )
    .option('--chain <chain>', 'btc or ltc', 'btc')
    .action(async function (this: Command, o: { chain: string }) {
      await withStore(this, async (store) => {
        const r = await clusterFromStore(store, parseChain(o.chain));
        process.stdout.write(
          `${r.addresses.toLocaleString('en-US')} addresses in ${r.clusters.toLocaleString('en-US')} clusters (largest ${r.largest}); ${r.coinjoinsExcluded} CoinJoin-like transactions excluded\n`,
        );
      });
    });
}
