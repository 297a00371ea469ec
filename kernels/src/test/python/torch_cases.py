"""Builds PyTorch models from convjob's PyTorch-form specs, saves their state dicts and runs them.

Usage: python torch_cases.py OUT_DIR

For every case, OUT_DIR/<case>/ holds
  spec.json          the spec in PyTorch's form, exactly what the Java side parses
  model.pt           torch.save(model.state_dict())   (float32 unless the case says otherwise)
  model.safetensors  safetensors.torch.save_file(state_dict)
  io.safetensors     x: a random input batch (float32); y: the model's output, computed in float64 by PyTorch
and OUT_DIR/cases.json lists the cases. Bad inputs for the error tests go to OUT_DIR/bad/.
The module list is built from spec.json itself, so the spec the Java side reads is the model PyTorch ran.
"""
import collections
import json
import os
import zlib
import sys

import torch
from torch import nn
from safetensors.torch import save_file

OUT = sys.argv[1]

VGG11 = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]


def vgg11_features():
    """torchvision.models.vgg11().features, written in torch.nn (torchvision does not import here)."""
    layers, c = [], 3
    for v in VGG11:
        if v == "M":
            layers.append({"layer": "MaxPool2d", "kernel_size": 2, "stride": 2})
        else:
            layers.append({"layer": "Conv2d", "in_channels": c, "out_channels": v, "kernel_size": 3, "padding": 1})
            layers.append({"layer": "ReLU", "inplace": True})
            c = v
    return layers


def conv(layer, cin, cout, k, **kw):
    return dict(layer=layer, in_channels=cin, out_channels=cout, kernel_size=k, **kw)


# name -> (layers, input sample shape, options)
CASES = {
    "conv1d_plain": ([conv("Conv1d", 3, 4, 3)], (3, 17), {}),
    "conv1d_stride_pad_groups_circular": (
        [conv("Conv1d", 4, 6, 5, stride=2, padding=2, groups=2, padding_mode="circular")], (4, 19), {}),
    "conv1d_same_even_dilated": ([conv("Conv1d", 2, 3, 4, padding="same", dilation=2)], (2, 16), {}),
    "conv2d_plain": ([conv("Conv2d", 3, 4, 3)], (3, 11, 9), {}),
    "conv2d_tuple_args": (
        [conv("Conv2d", 2, 4, [3, 2], stride=[2, 1], padding=[1, 0], dilation=[1, 2])], (2, 12, 10), {}),
    "conv2d_same": ([conv("Conv2d", 3, 5, [4, 3], padding="same")], (3, 10, 9), {}),
    "conv2d_valid_no_bias": ([conv("Conv2d", 3, 5, 3, padding="valid", bias=False)], (3, 8, 8), {}),
    "conv2d_reflect": ([conv("Conv2d", 3, 4, 3, padding=2, padding_mode="reflect")], (3, 9, 10), {}),
    "conv2d_replicate": ([conv("Conv2d", 3, 4, [3, 5], padding=[1, 2], padding_mode="replicate")], (3, 9, 10), {}),
    "conv2d_circular": ([conv("Conv2d", 3, 4, 3, stride=2, padding=[2, 1], padding_mode="circular")], (3, 9, 10), {}),
    "conv2d_same_reflect": ([conv("Conv2d", 2, 4, 4, padding="same", padding_mode="reflect")], (2, 9, 8), {}),
    "conv2d_groups_dilation": ([conv("Conv2d", 6, 9, 3, padding=2, dilation=2, groups=3)], (6, 12, 11), {}),
    "conv2d_depthwise": ([conv("Conv2d", 8, 8, 3, padding=1, groups=8)], (8, 10, 10), {}),
    "conv3d_plain": ([conv("Conv3d", 2, 3, 3)], (2, 6, 7, 5), {}),
    "conv3d_args": (
        [conv("Conv3d", 4, 4, [3, 2, 3], stride=[1, 2, 1], padding=[1, 0, 1], dilation=[2, 1, 1], groups=2,
              padding_mode="replicate")], (4, 7, 8, 6), {}),
    "conv3d_circular_same": ([conv("Conv3d", 2, 2, [3, 2, 3], padding="same", padding_mode="circular")],
                             (2, 5, 6, 5), {}),
    "convtranspose1d": (
        [conv("ConvTranspose1d", 3, 2, 4, stride=3, padding=2, output_padding=2, dilation=2)], (3, 9), {}),
    "convtranspose2d_groups": (
        [conv("ConvTranspose2d", 4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)], (4, 7, 6), {}),
    "convtranspose2d_tuple_args": (
        [conv("ConvTranspose2d", 3, 5, [2, 3], stride=[2, 1], padding=[0, 1], dilation=[1, 2], bias=False)],
        (3, 6, 7), {}),
    "convtranspose3d": (
        [conv("ConvTranspose3d", 2, 4, [2, 3, 2], stride=[2, 1, 2], padding=[0, 1, 1], output_padding=[1, 0, 0])],
        (2, 4, 5, 3), {}),
    "stack_activations": (
        [conv("Conv2d", 3, 8, 3, padding=1), {"layer": "ReLU", "inplace": True},
         conv("Conv2d", 8, 8, 3, padding=1), {"layer": "GELU"},
         conv("Conv2d", 8, 6, 1), {"layer": "GELU", "approximate": "tanh"},
         conv("ConvTranspose2d", 6, 4, 2, stride=2), {"layer": "SiLU"},
         conv("Conv2d", 4, 4, 3), {"layer": "Sigmoid"},
         conv("Conv2d", 4, 3, 1), {"layer": "Tanh"}], (3, 9, 8), {}),
    "named_modules": (
        [dict(conv("Conv2d", 3, 4, 3), name="stem"), {"layer": "ReLU", "name": "act"},
         dict(conv("Conv2d", 4, 2, 1), name="head")], (3, 8, 8), {}),
    "float16": ([conv("Conv2d", 3, 4, 3, padding=1), {"layer": "ReLU"}, conv("Conv2d", 4, 4, 3)], (3, 9, 9),
                {"dtype": "float16"}),
    "bfloat16": ([conv("Conv2d", 3, 4, 3, padding=1), {"layer": "ReLU"}, conv("ConvTranspose2d", 4, 2, 3, stride=2)],
                 (3, 7, 7), {"dtype": "bfloat16"}),
    "float64": ([conv("Conv1d", 3, 4, 3, padding=1), {"layer": "Tanh"}, conv("Conv1d", 4, 2, 3)], (3, 12),
                {"dtype": "float64"}),
    "strided_views": ([conv("Conv2d", 3, 4, 3), conv("ConvTranspose2d", 4, 3, 2, stride=2)], (3, 8, 8),
                      {"views": True}),
    "prefixed": ([conv("Conv2d", 3, 4, 3, padding=1), {"layer": "ReLU"}, conv("Conv2d", 4, 4, 3)], (3, 8, 8),
                 {"prefix": "features."}),
    "maxpool2d_default_stride": ([conv("Conv2d", 3, 4, 3), {"layer": "MaxPool2d", "kernel_size": 2}], (3, 11, 10),
                                 {"pooling": True}),
    "maxpool2d_ceil_pad_dilation": (
        [{"layer": "MaxPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True}],
        (3, 12, 11), {"pooling": True}),
    # the second layer's ceil window would start in the right padding: PyTorch drops it (5 -> 3, not 4)
    "maxpool1d_ceil": ([{"layer": "MaxPool1d", "kernel_size": 3, "stride": 2, "ceil_mode": True},
                        {"layer": "MaxPool1d", "kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}],
                       (2, 10), {"pooling": True}),
    "maxpool3d": ([{"layer": "MaxPool3d", "kernel_size": [2, 3, 2], "stride": [2, 1, 2], "padding": [1, 1, 0]}],
                  (2, 5, 6, 7), {"pooling": True}),
    "avgpool2d_exclude_pad_ceil": (
        [{"layer": "AvgPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
          "count_include_pad": False}], (3, 10, 9), {"pooling": True}),
    "avgpool2d_include_pad_ceil": (
        [{"layer": "AvgPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}], (3, 10, 9),
        {"pooling": True}),
    "avgpool1d": ([{"layer": "AvgPool1d", "kernel_size": 4, "stride": 3, "padding": 2}], (2, 13), {"pooling": True}),
    "avgpool3d_divisor_override": ([{"layer": "AvgPool3d", "kernel_size": 2, "stride": None, "divisor_override": 3}],
                                   (2, 6, 5, 4), {"pooling": True}),
    "adaptive_avg2d": ([{"layer": "AdaptiveAvgPool2d", "output_size": [3, None]}, {"layer": "AdaptiveAvgPool2d",
                        "output_size": 7}], (3, 7, 5), {"pooling": True}),
    "adaptive_max1d": ([{"layer": "AdaptiveMaxPool1d", "output_size": 4}], (2, 10), {"pooling": True}),
    "conv_pool_flatten": ([conv("Conv2d", 3, 4, 3), {"layer": "ReLU"}, {"layer": "MaxPool2d", "kernel_size": 2},
                           {"layer": "Flatten"}], (3, 10, 12), {"pooling": True}),
    "vgg11_features": (vgg11_features(), (3, 64, 64), {"prefix": "features.", "batch": 2, "pooling": True,
                                                         "default_init": True}),
}


def module(entry):
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k not in ("layer", "name")}
    return getattr(nn, entry["layer"])(**kw)


def build(layers):
    return nn.Sequential(collections.OrderedDict(
        (e.get("name", str(i)), module(e)) for i, e in enumerate(layers)))


class WithClassifier(nn.Module):
    """Like torchvision's VGG: the convolutions under `features.`, something else beside them."""

    def __init__(self, features):
        super().__init__()
        self.features = features
        self.classifier = nn.Linear(3, 2)

    def forward(self, x):
        return self.features(x)


def randomize(model, gen):
    """Default init leaves biases small and structured; draw everything so each weight matters."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.3)


def as_views(state):
    """Each tensor a strided view into a larger storage, the way slices and transposes are saved."""
    out = collections.OrderedDict()
    for k, v in state.items():
        big = torch.zeros((v.numel() + 7,), dtype=v.dtype)
        if v.dim() >= 2:
            t = v.transpose(0, 1).contiguous()          # (in, out, ...) in memory
            base = big[7:].view(t.shape)
            base.copy_(t)
            out[k] = base.transpose(0, 1)               # same values, non-contiguous strides, offset 7
        else:
            big[7:].copy_(v)
            out[k] = big[7:]
    return out


def write_case(name, layers, shape, opts):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    seq = build(layers)
    model = WithClassifier(seq) if opts.get("prefix") else seq
    if not opts.get("default_init"):
        randomize(model, gen)
    model.eval()
    dtype = getattr(torch, opts.get("dtype", "float32"))
    state = collections.OrderedDict((k, v.detach().to(dtype)) for k, v in model.state_dict().items())
    # the model PyTorch runs holds exactly the values the file holds
    model.load_state_dict(collections.OrderedDict((k, v.float()) for k, v in state.items()))
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    spec = {"framework": "pytorch", "layers": layers}
    with open(os.path.join(d, "spec.json"), "w") as f:
        json.dump(spec, f, indent=1)
    torch.save(as_views(state) if opts.get("views") else state, os.path.join(d, "model.pt"))
    save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(d, "model.safetensors"))
    x = torch.randn((opts.get("batch", 2),) + tuple(shape), generator=gen)
    with torch.no_grad():
        y = model.double()(x.double())
    save_file({"x": x, "y": y}, os.path.join(d, "io.safetensors"))
    return {"name": name, "prefix": opts.get("prefix", ""), "input_shape": list(shape),
            "output_shape": list(y.shape[1:]), "pooling": bool(opts.get("pooling"))}


class Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, ("touch " + self.marker,)


def write_bad():
    """Real files for the refusal tests."""
    d = os.path.join(OUT, "bad")
    os.makedirs(d, exist_ok=True)
    model = build([conv("Conv2d", 3, 4, 3), {"layer": "ReLU"}, conv("Conv2d", 4, 2, 1)])
    with open(os.path.join(d, "spec.json"), "w") as f:
        json.dump({"framework": "pytorch", "layers": [conv("Conv2d", 3, 4, 3), {"layer": "ReLU"},
                                                      conv("Conv2d", 4, 2, 1)]}, f)
    state = model.state_dict()
    torch.save(model, os.path.join(d, "full_model.pt"))                       # a pickled module
    torch.save(state, os.path.join(d, "good.pt"))
    bad = collections.OrderedDict(state)
    bad["0.weight"] = state["0.weight"].to(torch.int64)
    torch.save(bad, os.path.join(d, "int64.pt"))                              # unknown tensor type
    bad = collections.OrderedDict(state)
    del bad["2.bias"]
    torch.save(bad, os.path.join(d, "missing.pt"))                            # missing key
    bad = collections.OrderedDict(state)
    bad["3.weight"] = torch.zeros(2)
    torch.save(bad, os.path.join(d, "extra.pt"))                              # extra key
    bad = collections.OrderedDict(state)
    bad["2.weight"] = torch.zeros(2, 4, 3, 3)
    torch.save(bad, os.path.join(d, "shape.pt"))                              # wrong shape
    save_file(dict(bad), os.path.join(d, "shape.safetensors"))
    torch.save({"model": state, "epoch": 3}, os.path.join(d, "nested.pt"))    # a training checkpoint
    torch.save(state, os.path.join(d, "legacy.pt"), _use_new_zipfile_serialization=False)
    # A checkpoint whose pickle would run a shell command on a plain torch.load(weights_only=False):
    # the Java reader must refuse it without running anything (the test checks the marker never appears).
    evil = collections.OrderedDict(state)
    evil["0.weight"] = Exploit(os.path.join(d, "pwned"))
    torch.save(evil, os.path.join(d, "evil.pt"))


def main():
    only = set(sys.argv[2:])
    cases = [write_case(n, *c) for n, c in CASES.items() if not only or n in only]
    write_bad()
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
