#!/usr/bin/env python3
"""Writes the fuzz tests' seed corpora (small valid files and a few bad ones) with the real libraries.

Run once with the interop environment: $(.ci/pyenv) .ci/fuzz-seeds.py   (from the checkout's root).
The files are committed; regression inputs that fuzzing found sit beside them (named finding-*).
"""
import io, json, os, shutil, struct, zipfile
import numpy as np
import pyarrow as pa
import torch
from PIL import Image
from safetensors.torch import save as st_save

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K = os.path.join(ROOT, "kernels/src/test/resources/io/convjob")
D = os.path.join(ROOT, "datasets/src/test/resources/io/convjob")


def put(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def npy(a, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, a)
    else:
        np.lib.format.write_array(b, a, version=version)
    return b.getvalue()


rng = np.random.default_rng(0)

# ---- .npy
d = os.path.join(K, "io/NpyFuzzTestInputs/npy")
put(d, "f4_2x3.npy", npy(rng.standard_normal((2, 3)).astype("<f4")))
put(d, "f8_3.npy", npy(rng.standard_normal(3)))
put(d, "f2_be_2x2.npy", npy(rng.standard_normal((2, 2)).astype(">f2")))
put(d, "i8_scalar.npy", npy(np.array(7, dtype="<i8")))
put(d, "f4_v2.npy", npy(np.ones((1, 2), "<f4"), version=(2, 0)))
put(d, "f4_empty_0x3.npy", npy(np.zeros((0, 3), "<f4")))
put(d, "bad_fortran.npy", npy(np.asfortranarray(np.ones((2, 2), "<f4"))))
put(d, "bad_i4_array.npy", npy(np.arange(4, dtype="<i4")))
put(d, "bad_truncated.npy", npy(np.ones((4, 4), "<f4"))[:-7])

# ---- .eqx: one .npy record per array leaf (a Conv2d 3->4 k3 with bias, then a MaxPool's -inf and an AvgPool's 0)
d = os.path.join(K, "io/EqxFuzzTestInputs/eqx")
leaves = [rng.standard_normal((4, 3, 3, 3)).astype("<f4"), rng.standard_normal((4, 1, 1)).astype("<f4"),
          np.array(-np.inf), np.array(0, dtype="<i8")]
eqx = b"".join(npy(a) for a in leaves)
put(d, "conv_bias_pools.eqx", eqx)
put(d, "one_leaf.eqx", npy(rng.standard_normal((2, 1, 3)).astype("<f4")))
put(d, "bad_truncated.eqx", eqx[:-20])

# ---- .safetensors
d = os.path.join(K, "io/SafetensorsFuzzTestInputs/safetensors")
put(d, "conv_f32.safetensors", st_save({"layers.0.weight": torch.randn(2, 1, 3, 3), "layers.0.bias": torch.randn(2)},
                                       metadata={"spec": "{}"}))
put(d, "mixed_dtypes.safetensors", st_save({"a": torch.randn(3, dtype=torch.float16), "b": torch.randn(2, 2).to(torch.bfloat16),
                                            "c": torch.randn(2, dtype=torch.float64), "key": torch.tensor([0, 42], dtype=torch.int64),
                                            "u": torch.tensor([1, 2, 3], dtype=torch.uint8)}))
put(d, "empty.safetensors", st_save({}))
good = st_save({"w": torch.randn(4)})
put(d, "bad_truncated.safetensors", good[:-3])
header = json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                     "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode()
put(d, "bad_overlap.safetensors", struct.pack("<Q", len(header)) + header + bytes(12))

# ---- torch.save checkpoints
d = os.path.join(K, "torch/TorchCheckpointFuzzTestInputs/checkpoint")
def tsave(obj, **kw):
    b = io.BytesIO()
    torch.save(obj, b, **kw)
    return b.getvalue()
torch.manual_seed(0)
conv = torch.nn.Conv2d(2, 3, 2)
put(d, "conv_state_dict.pt", tsave(conv.state_dict()))
put(d, "nested_model.pt", tsave({"model": torch.nn.Sequential(torch.nn.Conv1d(1, 2, 2)).state_dict()}))
put(d, "view_half.pt", tsave({"t": torch.randn(3, 2).t().contiguous().t(), "h": torch.randn(2, 2, dtype=torch.float16),
                              "off": torch.randn(6)[2:5]}))
put(d, "int_tensor.pt", tsave({"n": torch.tensor([1, 2, 3])}))
put(d, "bad_legacy.pt", tsave({"w": torch.zeros(2)}, _use_new_zipfile_serialization=False))
put(d, "bad_truncated.pt", tsave(conv.state_dict())[:-100])

# ---- specs: the shipped examples plus a PyTorch stack with preprocess
d = os.path.join(K, "spec/SpecFuzzTestInputs/spec")
specs = os.path.join(ROOT, "conf/specs")
os.makedirs(d, exist_ok=True)
for name in sorted(os.listdir(specs)):
    shutil.copy(os.path.join(specs, name), os.path.join(d, name))
put(d, "pool_stack.json", json.dumps({"layers": [
    {"layer": "Conv2d", "in_channels": 1, "out_channels": 2, "kernel_size": 3, "padding": "SAME", "key": 1},
    {"layer": "relu"}, {"layer": "MaxPool2d", "kernel_size": 2, "stride": 2},
    {"layer": "AdaptiveAvgPool2d", "target_shape": [1, 1]}, {"layer": "flatten"}]}).encode())
put(d, "bad_unknown_key.json", b'{"layer": "Conv", "num_spatial_dims": 2, "in_channels": 1, "out_channels": 1, "kernel_size": 3, "colour": 1}')
put(d, "bad_json.json", b'{"layer": "Conv2d", ')

# ---- Arrow tensor files and streams
def tensor_table(rows, shape):
    t = pa.fixed_shape_tensor(pa.float32(), shape)
    n = int(np.prod(shape))
    storage = pa.FixedSizeListArray.from_arrays(pa.array(rng.standard_normal(rows * n).astype("f4")), n)
    return pa.table({"id": pa.array(range(rows), pa.int64()), "tensor": pa.ExtensionArray.from_storage(t, storage)})

def arrow_bytes(table, stream, max_chunk=None):
    sink = pa.BufferOutputStream()
    writer = pa.ipc.new_stream(sink, table.schema) if stream else pa.ipc.new_file(sink, table.schema)
    writer.write_table(table, max_chunksize=max_chunk)
    writer.close()
    return sink.getvalue().to_pybytes()

table = tensor_table(6, (2, 3))
plain = pa.table({"tensor": pa.FixedSizeListArray.from_arrays(pa.array(np.arange(8, dtype="f4")), 4)})
for fmt, stream, ext in (("file", False, "arrow"), ("stream", True, "arrows")):
    d = os.path.join(D, "arrow/Arrow%sFuzzTestInputs/%s" % (fmt.capitalize(), fmt))
    full = arrow_bytes(table, stream, max_chunk=2)
    put(d, "tensor_3_batches.%s" % ext, full)
    put(d, "plain_fixed_size_list.%s" % ext, arrow_bytes(plain, stream))
    put(d, "bad_truncated.%s" % ext, full[:len(full) * 2 // 3])
    put(d, "bad_no_tensor_column.%s" % ext, arrow_bytes(pa.table({"x": pa.array([1.0, 2.0])}), stream))
# tensor_lz4.* and tensor_zstd.* (compressed record batches) are datasets/src/test/python/compressed_ipc.py's
# py-lz4.* and py-zstd.* (`compressed_ipc.py write DIR`), copied in by hand

# ---- images
d = os.path.join(D, "image/ImageDecoderFuzzTestInputs/image")
rgb = Image.fromarray(rng.integers(0, 256, (3, 4, 3), dtype=np.uint8), "RGB")
def img(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()
put(d, "rgb_4x3.png", img(rgb, "PNG"))
put(d, "rgba_4x3.png", img(rgb.convert("RGBA"), "PNG"))
put(d, "gray16_4x3.png", img(Image.fromarray(rng.integers(0, 65536, (3, 4), dtype=np.uint16)), "PNG"))
put(d, "palette_4x3.png", img(rgb.convert("P"), "PNG"))
put(d, "rgb_8x8.jpg", img(rgb.resize((8, 8)), "JPEG", quality=80))
put(d, "gray_8x8.jpg", img(rgb.resize((8, 8)).convert("L"), "JPEG"))
put(d, "rgb_4x3.gif", img(rgb, "GIF"))
put(d, "rgb_4x3.bmp", img(rgb, "BMP"))
put(d, "rgb_4x3.tiff", img(rgb, "TIFF"))
put(d, "bad_truncated.png", img(rgb, "PNG")[:-20])
put(d, "bad_truncated.jpg", img(rgb.resize((8, 8)), "JPEG")[:-30])
