// Reads an Arrow IPC file with Arrow JS (no knowledge of our writer) and prints what it sees as JSON.
// Usage: node read_tensor.mjs <file.arrow> <npm prefix holding node_modules/apache-arrow, lz4js, fzstd> [tensor column]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [file, prefix, column = 'tensor'] = process.argv.slice(2);
const require = createRequire(join(prefix, 'package.json'));
const arrow = require('apache-arrow');
// Arrow JS reads compressed record batches with codecs the application registers (it bundles none)
const lz4 = require('lz4js');
const zstd = require('fzstd');
arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, { decode: (bytes) => Uint8Array.from(lz4.decompress(bytes)) });
arrow.compressionRegistry.set(arrow.CompressionType.ZSTD, { decode: (bytes) => zstd.decompress(bytes) });

const table = arrow.tableFromIPC(readFileSync(file));
const field = table.schema.fields.find((f) => f.name === column);
const tensors = table.getChild(column);
const ids = table.getChild('id');
const rows = [];
for (let i = 0; i < table.numRows; i++) {
  const row = tensors.get(i);
  rows.push(row === null ? null : Array.from(row));
}
console.log(JSON.stringify({
  extensionName: field.metadata.get('ARROW:extension:name'),
  extensionMetadata: field.metadata.get('ARROW:extension:metadata'),
  shape: JSON.parse(field.metadata.get('ARROW:extension:metadata')).shape,
  storage: String(field.type),
  listSize: field.type.listSize,
  itemName: field.type.children[0].name,
  batches: table.batches.length,
  ids: Array.from({ length: table.numRows }, (_, i) => Number(ids.get(i))),
  values: rows,
}));
