import type { Migration } from '../../store/db.js';

/**
 * Tables for crypto transfers, UTXO inputs/outputs, blocks, tags and addresses (ids 0400-0499).
 *
 * Exact amounts are TEXT decimal strings in base units (uint256 fits no portable numeric type); times are BIGINT
 * epoch ms. Citus readiness: no unique constraints; transfers, UTXO rows and blocks distribute by
 * (chain, tx_hash) / (chain, number); tags and addresses by (chain, address).
 */
export const cryptoMigrations: Migration[] = [
  {
    id: '0400_crypto',
    description: 'crypto transfers, utxo txs/inputs/outputs, blocks, tags, addresses',
    sql: `
CREATE TABLE crypto_transfers (
  chain TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  block_number BIGINT,
  ts BIGINT NOT NULL,
  from_addr TEXT NOT NULL,
  to_addr TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount TEXT NOT NULL,
  decimals INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  import_id TEXT NOT NULL
);
CREATE INDEX crypto_transfers_from_idx ON crypto_transfers (chain, from_addr);
CREATE INDEX crypto_transfers_to_idx ON crypto_transfers (chain, to_addr);
CREATE INDEX crypto_transfers_tx_idx ON crypto_transfers (chain, tx_hash);
CREATE INDEX crypto_transfers_block_idx ON crypto_transfers (chain, block_number);

CREATE TABLE crypto_utxo_txs (
  chain TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  block_height BIGINT,
  block_hash TEXT,
  ts BIGINT NOT NULL,
  coinbase BOOLEAN NOT NULL,
  import_id TEXT NOT NULL
);
CREATE INDEX crypto_utxo_txs_tx_idx ON crypto_utxo_txs (chain, tx_hash);

CREATE TABLE crypto_tx_inputs (
  chain TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  n INTEGER NOT NULL,
  prev_tx TEXT,
  prev_vout INTEGER,
  address TEXT,
  amount TEXT,
  import_id TEXT NOT NULL
);
CREATE INDEX crypto_tx_inputs_tx_idx ON crypto_tx_inputs (chain, tx_hash);
CREATE INDEX crypto_tx_inputs_addr_idx ON crypto_tx_inputs (chain, address);

CREATE TABLE crypto_tx_outputs (
  chain TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  n INTEGER NOT NULL,
  address TEXT,
  amount TEXT NOT NULL,
  script TEXT NOT NULL,
  import_id TEXT NOT NULL
);
CREATE INDEX crypto_tx_outputs_tx_idx ON crypto_tx_outputs (chain, tx_hash);
CREATE INDEX crypto_tx_outputs_addr_idx ON crypto_tx_outputs (chain, address);

CREATE TABLE crypto_blocks (
  chain TEXT NOT NULL,
  number BIGINT NOT NULL,
  hash TEXT NOT NULL,
  parent_hash TEXT NOT NULL,
  ts BIGINT NOT NULL,
  import_id TEXT NOT NULL
);
CREATE INDEX crypto_blocks_idx ON crypto_blocks (chain, number);

CREATE TABLE crypto_tags (
  chain TEXT NOT NULL,
  address TEXT NOT NULL,
  label TEXT NOT NULL,
  category TEXT NOT NULL,
  abuse TEXT,
  actor TEXT,
  source TEXT NOT NULL,
  source_record TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  entity_id TEXT,
  programs TEXT NOT NULL,
  sanctioned BOOLEAN NOT NULL,
  dprk BOOLEAN NOT NULL,
  import_id TEXT NOT NULL
);
CREATE INDEX crypto_tags_addr_idx ON crypto_tags (chain, address);
CREATE INDEX crypto_tags_source_idx ON crypto_tags (source);

CREATE TABLE crypto_addresses (
  chain TEXT NOT NULL,
  address TEXT NOT NULL,
  cluster_id TEXT,
  first_seen BIGINT,
  last_seen BIGINT,
  updated_at TEXT NOT NULL
);
CREATE INDEX crypto_addresses_addr_idx ON crypto_addresses (chain, address);
CREATE INDEX crypto_addresses_cluster_idx ON crypto_addresses (chain, cluster_id);
`,
  },
  {
    // A forward UTXO trace asks which transactions spend the outputs its taint reached (src/crypto/utxo-frontier.ts).
    id: '0410_crypto_inputs_prev_tx',
    description: 'index of UTXO inputs by the transaction they spend',
    sql: 'CREATE INDEX crypto_tx_inputs_prev_idx ON crypto_tx_inputs (chain, prev_tx);',
  },
];
