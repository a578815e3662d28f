// The dynamic-block header equivalent to the canned table. A canned stream is the body of a
// block with this header: prepending it gives a standard stream any inflater reads, which is
// how iaa_crypto makes the device (and its software fallback) know the table.
import { BitWriter } from './bit-writer.js'
import { DynamicHeaderWriter } from './block-header.js'
import { CANNED_D_LENGTHS, CANNED_LL_LENGTHS } from './canned-tables.js'
import { HuffmanBuilder } from './huffman.js'

function cannedHeader(): Uint8Array {
  const w = new BitWriter(new Uint8Array(256))
  new DynamicHeaderWriter(new HuffmanBuilder()).write(w, CANNED_LL_LENGTHS, 286, CANNED_D_LENGTHS, 30)
  // 624 bits with this writer's run-length choices (the patch's own header is 656): whole
  // bytes, so a canned stream follows it without shifting a bit.
  if (w.count !== 0) throw new Error(`[@zswap/iaa] the canned header is ${w.bitLength} bits, not whole bytes`)
  return w.buf.slice(0, w.pos)
}

/** BFINAL=1, BTYPE=10 and the canned code lengths (HLIT=286, HDIST=30), whole bytes. */
export const CANNED_HEADER: Uint8Array = cannedHeader()
