"""Compressed Arrow IPC with pyarrow, for CompressedIpcInteropTest.

write DIR: writes tensor files (id int64, tensor arrow.fixed_shape_tensor float32 [2, 3]) with LZ4_FRAME and ZSTD
record batches, as IPC file and stream: value(row, k) = row * 0.5 - k / 7, row 3 null.
read FILE: prints JSON {extension, ids, values} of a file Java wrote.
"""
import json
import sys

import pyarrow as pa

ROWS = 7
SHAPE = [2, 3]


def value(row, k):
    return row * 0.5 - k / 7.0


def table():
    tensor_type = pa.fixed_shape_tensor(pa.float32(), SHAPE)
    n = SHAPE[0] * SHAPE[1]
    flat = [None if row == 3 else [value(row, k) for k in range(n)] for row in range(ROWS)]
    storage = pa.array(flat, pa.list_(pa.float32(), n))
    tensors = pa.ExtensionArray.from_storage(tensor_type, storage)
    return pa.table({"id": pa.array(range(100, 100 + ROWS), pa.int64()), "tensor": tensors})


def write(directory):
    t = table()
    for codec in ("lz4", "zstd"):
        options = pa.ipc.IpcWriteOptions(compression=codec)
        with pa.OSFile(f"{directory}/py-{codec}.arrow", "wb") as sink:
            with pa.ipc.new_file(sink, t.schema, options=options) as w:
                for batch in t.to_batches(max_chunksize=3):
                    w.write_batch(batch)
        with pa.OSFile(f"{directory}/py-{codec}.arrows", "wb") as sink:
            with pa.ipc.new_stream(sink, t.schema, options=options) as w:
                for batch in t.to_batches(max_chunksize=3):
                    w.write_batch(batch)


def read(path):
    with pa.memory_map(path) as source:
        reader = pa.ipc.open_file(source)
        t = reader.read_all()
    ids = t.column("id").to_pylist()
    tensor = t.column("tensor").combine_chunks()
    values = [None if v is None else [float(x) for x in v] for v in tensor.storage.to_pylist()]
    print(json.dumps({"extension": str(tensor.type), "ids": ids, "values": values}))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        read(sys.argv[2])
