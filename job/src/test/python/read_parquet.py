"""Reads a convjob Parquet output directory with pyarrow and prints what it sees as one JSON object:
the columns and their Arrow types, the tensor column's extension name and shape, the rows, and per id the sum of
the tensor's values (for the Java test to compare with Spark's view).

    python read_parquet.py DIR TENSOR_COLUMN
"""
import base64
import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

table = pq.read_table(sys.argv[1])
column = table.column(sys.argv[2])
tensor_type = column.type
out = {
    "columns": table.column_names,
    "types": {name: str(table.schema.field(name).type) for name in table.column_names},
    "rows": table.num_rows,
    "extension": getattr(tensor_type, "extension_name", None),
    "shape": list(tensor_type.shape) if isinstance(tensor_type, pa.FixedShapeTensorType) else None,
}
if isinstance(tensor_type, pa.FixedShapeTensorType):
    tensors = column.combine_chunks().to_numpy_ndarray()  # (rows, *shape)
    out["ndarray_shape"] = list(tensors.shape)
    ids = table.column("id").to_pylist()
    out["sums"] = {i: float(np.sum(t, dtype=np.float64)) for i, t in zip(ids, tensors)}
first = pq.ParquetFile(pq.ParquetDataset(sys.argv[1]).files[0])
stored = first.metadata.metadata.get(b"ARROW:schema")
out["parquet_schema"] = str(first.schema)
out["stored_arrow_schema"] = str(pa.ipc.read_schema(pa.py_buffer(base64.b64decode(stored)))) if stored else None
print(json.dumps(out))
