"""One large record batch of many column types, with pyarrow, for TensorFileSliceTest.

write DIR: DIR/one-batch.arrow (uncompressed) and DIR/one-batch-lz4.arrow, each ONE record batch of 1003 rows:
id int64, name utf8, flag bool, counts list<int32>, point struct<x float64, s utf8>, tensor
arrow.fixed_shape_tensor float32 [2, 3]; every column has nulls (and a tensor row has a null element).
"""
import sys

import pyarrow as pa

ROWS = 1003
SHAPE = [2, 3]


def table():
    n = SHAPE[0] * SHAPE[1]
    ids = pa.array([None if i % 17 == 5 else i for i in range(ROWS)], pa.int64())
    names = pa.array([None if i % 13 == 0 else f"r{i}-" + "x" * (i % 7) for i in range(ROWS)], pa.string())
    flags = pa.array([None if i % 11 == 3 else i % 3 == 0 for i in range(ROWS)], pa.bool_())
    counts = pa.array([None if i % 19 == 2 else list(range(i % 5)) for i in range(ROWS)], pa.list_(pa.int32()))
    xs = pa.array([i * 0.25 for i in range(ROWS)], pa.float64())
    point = pa.StructArray.from_arrays([xs, names], names=["x", "s"],
                                       mask=pa.array([i % 31 == 9 for i in range(ROWS)]))
    flat = [None if i % 23 == 7 else [None if (i % 29 == 4 and k == 2) else i * 0.5 - k / 7.0 for k in range(n)]
            for i in range(ROWS)]
    storage = pa.array(flat, pa.list_(pa.float32(), n))
    tensors = pa.ExtensionArray.from_storage(pa.fixed_shape_tensor(pa.float32(), SHAPE), storage)
    return pa.table({"id": ids, "name": names, "flag": flags, "counts": counts, "point": point, "tensor": tensors})


def write(directory):
    t = table()
    for name, codec in (("one-batch.arrow", None), ("one-batch-lz4.arrow", "lz4")):
        options = pa.ipc.IpcWriteOptions(compression=codec)
        with pa.OSFile(f"{directory}/{name}", "wb") as sink:
            with pa.ipc.new_file(sink, t.schema, options=options) as w:
                batches = t.to_batches(max_chunksize=ROWS)
                assert len(batches) == 1
                w.write_batch(batches[0])


if __name__ == "__main__":
    write(sys.argv[1])
