// Writes an Arrow IPC file with Arrow JS: an int64 'id' column and a 'tensor' column of arrow.fixed_shape_tensor
// (shape [2, 3]) whose row i holds i * 10 + k at k (row 2 null), in two record batches of 3 and 4 rows.
// Usage: node write_tensor.mjs <out.arrow> <npm prefix holding node_modules/apache-arrow and lz4js> [none|lz4]
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [file, prefix, compression = 'none'] = process.argv.slice(2);
const require = createRequire(join(prefix, 'package.json'));
const arrow = require('apache-arrow');
const lz4 = require('lz4js');
arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, { encode: (bytes) => Uint8Array.from(lz4.compress(bytes)) });

const tensorType = new arrow.FixedSizeList(6, new arrow.Field('item', new arrow.Float32(), false));
const schema = new arrow.Schema([
  new arrow.Field('id', new arrow.Int64(), false),
  new arrow.Field('tensor', tensorType, true, new Map([
    ['ARROW:extension:name', 'arrow.fixed_shape_tensor'],
    ['ARROW:extension:metadata', '{"shape":[2,3]}'],
  ])),
]);
const batch = (first, count) => {
  const ids = arrow.vectorFromArray(Array.from({ length: count }, (_, r) => BigInt(first + r)), new arrow.Int64());
  const rows = Array.from({ length: count }, (_, r) =>
    first + r === 2 ? null : Array.from({ length: 6 }, (_, k) => (first + r) * 10 + k));
  const tensors = arrow.vectorFromArray(rows, tensorType);
  return new arrow.RecordBatch(schema, arrow.makeData({
    type: new arrow.Struct(schema.fields), length: count, nullCount: 0,
    children: [ids.data[0], tensors.data[0]],
  }));
};
const writer = new arrow.RecordBatchFileWriter(
  compression === 'lz4' ? { compressionType: arrow.CompressionType.LZ4_FRAME } : {});
writer.write(new arrow.Table([batch(0, 3), batch(3, 4)]));
writer.finish();
writeFileSync(file, writer.toUint8Array(true));
