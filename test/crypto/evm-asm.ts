/**
 * A tiny EVM assembler for the test contracts (a bridge/mixer that pays out on request and a minimal ERC-20),
 * so the tests deploy bytecode we wrote ourselves instead of a compiler's output.
 * Syntax: opcode names, `PUSHn 0x…` / `PUSH 0x…` (size chosen), `@label` (PUSH2 of a label), `label:` (JUMPDEST).
 */
const OPS: Record<string, number> = {
  STOP: 0x00,
  ADD: 0x01,
  SUB: 0x03,
  LT: 0x10,
  GT: 0x11,
  EQ: 0x14,
  ISZERO: 0x15,
  SHR: 0x1c,
  CALLER: 0x33,
  CALLVALUE: 0x34,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CODECOPY: 0x39,
  POP: 0x50,
  MLOAD: 0x51,
  MSTORE: 0x52,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMP: 0x56,
  JUMPI: 0x57,
  GAS: 0x5a,
  JUMPDEST: 0x5b,
  DUP1: 0x80,
  DUP2: 0x81,
  DUP3: 0x82,
  SWAP1: 0x90,
  SWAP2: 0x91,
  LOG3: 0xa3,
  CALL: 0xf1,
  RETURN: 0xf3,
  REVERT: 0xfd,
};

export function assemble(src: string): string {
  const tokens = src.split(/\s+/).filter(Boolean);
  // Pass 1: sizes and label offsets.
  const labels = new Map<string, number>();
  let pc = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.endsWith(':')) {
      labels.set(t.slice(0, -1), pc);
      pc += 1;
    } else if (t.startsWith('@')) pc += 3;
    else if (/^PUSH\d*$/.test(t)) {
      const hex = tokens[++i]!.replace(/^0x/, '');
      const n = t === 'PUSH' ? Math.max(1, Math.ceil(hex.length / 2)) : Number(t.slice(4));
      pc += 1 + n;
    } else pc += 1;
  }
  // Pass 2: bytes.
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.endsWith(':')) out += '5b';
    else if (t.startsWith('@')) {
      const at = labels.get(t.slice(1));
      if (at === undefined) throw new Error(`unknown label ${t}`);
      out += `61${at.toString(16).padStart(4, '0')}`;
    } else if (/^PUSH\d*$/.test(t)) {
      const hex = tokens[++i]!.replace(/^0x/, '');
      const n = t === 'PUSH' ? Math.max(1, Math.ceil(hex.length / 2)) : Number(t.slice(4));
      out += (0x5f + n).toString(16) + hex.padStart(n * 2, '0');
    } else {
      const op = OPS[t];
      if (op === undefined) throw new Error(`unknown opcode ${t}`);
      out += op.toString(16).padStart(2, '0');
    }
  }
  return out;
}

/** Init code that returns `runtime` (hex, no 0x) as the deployed code, after running `constructor` (asm). */
export function deployCode(runtimeHex: string, constructorAsm = ''): `0x${string}` {
  const ctor = constructorAsm ? assemble(constructorAsm) : '';
  const len = runtimeHex.length / 2;
  // PUSH2 len DUP1 PUSH2 off PUSH1 0 CODECOPY PUSH1 0 RETURN  = 3+1+3+2+1+2+1 = 13 bytes
  const off = ctor.length / 2 + 13;
  const copy = `61${len.toString(16).padStart(4, '0')}8061${off.toString(16).padStart(4, '0')}600039` + '6000f3';
  return `0x${ctor}${copy}${runtimeHex}`;
}

const TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/**
 * Bridge / mixer: a call without calldata is a deposit (kept); a call with (address to, uint256 amount) pays
 * `amount` to `to` (an internal value transfer). No access control: the exploit is calling it.
 */
export const PAYOUT_RUNTIME = assemble(`
  CALLDATASIZE ISZERO @deposit JUMPI
  PUSH1 0x00 PUSH1 0x00 PUSH1 0x00 PUSH1 0x00
  PUSH1 0x20 CALLDATALOAD
  PUSH1 0x00 CALLDATALOAD
  GAS CALL POP STOP
  deposit: STOP
`);

/** Minimal ERC-20 (6 decimals): transfer, balanceOf, decimals; the deployer gets the whole supply. */
export function erc20InitCode(supply: bigint): `0x${string}` {
  const s = supply.toString(16).padStart(64, '0');
  const runtime = assemble(`
    PUSH1 0x00 CALLDATALOAD PUSH1 0xe0 SHR
    DUP1 PUSH4 0xa9059cbb EQ @transfer JUMPI
    DUP1 PUSH4 0x313ce567 EQ @decimals JUMPI
    DUP1 PUSH4 0x70a08231 EQ @balanceOf JUMPI
    PUSH1 0x00 DUP1 REVERT
    decimals: PUSH1 0x06 PUSH1 0x00 MSTORE PUSH1 0x20 PUSH1 0x00 RETURN
    balanceOf: PUSH1 0x04 CALLDATALOAD SLOAD PUSH1 0x00 MSTORE PUSH1 0x20 PUSH1 0x00 RETURN
    transfer:
      PUSH1 0x24 CALLDATALOAD
      CALLER SLOAD
      DUP2 DUP2 LT @fail JUMPI
      DUP2 SWAP1 SUB CALLER SSTORE
      PUSH1 0x04 CALLDATALOAD
      DUP1 SLOAD
      DUP3 ADD
      SWAP1 SSTORE
      PUSH1 0x00 MSTORE
      PUSH1 0x04 CALLDATALOAD CALLER PUSH32 0x${TRANSFER_TOPIC} PUSH1 0x20 PUSH1 0x00 LOG3
      PUSH1 0x01 PUSH1 0x00 MSTORE PUSH1 0x20 PUSH1 0x00 RETURN
    fail: PUSH1 0x00 DUP1 REVERT
  `);
  const ctor = `
    PUSH32 0x${s} CALLER SSTORE
    PUSH32 0x${s} PUSH1 0x00 MSTORE
    CALLER PUSH1 0x00 PUSH32 0x${TRANSFER_TOPIC} PUSH1 0x20 PUSH1 0x00 LOG3
  `;
  return deployCode(runtime, ctor);
}
