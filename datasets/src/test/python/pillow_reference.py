"""Makes the image preprocessing golden data: test images and, for each, the tensor torchvision's
Resize -> CenterCrop -> ToTensor -> Normalize gives on the PIL image (Pillow does the decoding, the channel
conversion and the bilinear resize; CenterCrop, ToTensor and Normalize are reproduced here in numpy exactly as
torchvision computes them, since torchvision itself may not import on the build machine).

    "$(bash .ci/pyenv)" datasets/src/test/python/pillow_reference.py datasets/src/test/resources/pillow-reference

writes OUT_DIR/cases.json, the images, and per case NAME.pixels.npy (the integer image handed to ToTensor, H x W x C,
as float32) and NAME.tensor.npy (the normalized C x H x W float32 tensor). Deterministic: same output every run.
"""
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image


def smooth_image(rng, h, w, channels):
    """Gradients, a disc and noise: smooth areas and edges, so resampling errors would show."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        fx, fy = rng.uniform(0.5, 3.0, size=2)
        phase = rng.uniform(0, 2 * np.pi)
        base = 0.5 + 0.35 * np.sin(fx * x / w * 2 * np.pi + phase) * np.cos(fy * y / h * 2 * np.pi)
        cy, cx, r = rng.uniform(0.2, 0.8) * h, rng.uniform(0.2, 0.8) * w, rng.uniform(0.15, 0.35) * min(h, w)
        base = np.where((y - cy) ** 2 + (x - cx) ** 2 < r * r, 1.0 - base, base)
        base += rng.normal(0, 0.04, size=(h, w))
        planes.append(np.clip(base, 0, 1))
    return np.stack(planes, axis=-1)


def to8(a):
    return np.round(a * 255).astype(np.uint8)


def write_png16_rgb(path, pixels):
    """A 16-bit RGB PNG, written by hand: Pillow cannot write one."""
    h, w, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].astype(">u2").tobytes() for row in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def make_images(out):
    rng = np.random.default_rng(20261129)
    files = {}

    def save(name, image, **kw):
        image.save(out / name, **kw)
        files[name] = image.mode

    save("rgb_64x48.png", Image.fromarray(to8(smooth_image(rng, 48, 64, 3)), "RGB"))
    save("rgb_160x120.png", Image.fromarray(to8(smooth_image(rng, 120, 160, 3)), "RGB"))
    save("rgb_20x15.png", Image.fromarray(to8(smooth_image(rng, 15, 20, 3)), "RGB"))
    save("rgb_33x27.png", Image.fromarray(to8(smooth_image(rng, 27, 33, 3)), "RGB"))
    save("rgb_20x18.png", Image.fromarray(to8(smooth_image(rng, 18, 20, 3)), "RGB"))
    save("gray_50x70.png", Image.fromarray(to8(smooth_image(rng, 70, 50, 1))[..., 0], "L"))
    la = to8(smooth_image(rng, 29, 31, 2))
    save("la_31x29.png", Image.fromarray(la, "LA"))
    rgba = to8(smooth_image(rng, 33, 45, 4))
    rgba[:5, :5, 3] = 0  # fully transparent corner: Pillow's premultiply keeps its colour
    save("rgba_45x33.png", Image.fromarray(rgba, "RGBA"))
    palette = Image.fromarray(to8(smooth_image(rng, 40, 40, 3)), "RGB").quantize(colors=32, dither=Image.Dither.NONE)
    save("palette_40x40.png", palette)
    gray16 = np.round(smooth_image(rng, 40, 48, 1)[..., 0] * 65535).astype(np.uint16)
    save("gray16_48x40.png", Image.fromarray(gray16))
    write_png16_rgb(out / "rgb16_36x30.png", np.round(smooth_image(rng, 30, 36, 3) * 65535).astype(np.uint16))
    files["rgb16_36x30.png"] = "RGB;16"
    save("rgb_40x30.jpg", Image.fromarray(to8(smooth_image(rng, 30, 40, 3)), "RGB"), quality=92)
    save("gray_35x45.jpg", Image.fromarray(to8(smooth_image(rng, 45, 35, 1))[..., 0], "L"), quality=92)
    return files


IMAGENET = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}

# name, image, preprocess (the spec's section), how the Java side must match: "exact" (same integer pixels),
# or "tolerance" (JPEG: another decoder; 16-bit RGB: Pillow keeps only the high byte)
CASES = [
    ("rgb_down", "rgb_64x48.png", {"resize": 32, "center_crop": 28, "channels": "RGB", "scale": 1 / 255, **IMAGENET}, "exact"),
    ("rgb_big_down", "rgb_160x120.png", {"resize": 32, "center_crop": 32, "channels": "RGB", **IMAGENET}, "exact"),
    ("rgb_up", "rgb_20x15.png", {"resize": 40, "center_crop": 36, "channels": "RGB"}, "exact"),
    ("rgb_exact_size", "rgb_64x48.png", {"resize": [30, 50], "channels": "RGB", "mean": 0.5, "std": 0.25}, "exact"),
    ("rgb_crop_only", "rgb_33x27.png", {"center_crop": [10, 9], "channels": "RGB", **IMAGENET}, "exact"),
    ("rgb_crop_half_even", "rgb_33x27.png", {"center_crop": [24, 30], "channels": "RGB"}, "exact"),
    ("rgb_crop_pads", "rgb_20x18.png", {"center_crop": 24, "channels": "RGB"}, "exact"),
    ("rgb_to_l", "rgb_64x48.png", {"resize": 20, "center_crop": 20, "channels": "L", "mean": [0.5], "std": [0.5]}, "exact"),
    ("gray_to_rgb", "gray_50x70.png", {"resize": [30, 20], "channels": "RGB", **IMAGENET}, "exact"),
    ("la_to_l", "la_31x29.png", {"resize": 16, "center_crop": 16, "channels": "L"}, "exact"),
    ("la_keep", "la_31x29.png", {"resize": 16, "center_crop": 16, "channels": "LA"}, "exact"),
    ("rgba_keep", "rgba_45x33.png", {"resize": 20, "center_crop": 16, "channels": "RGBA"}, "exact"),
    ("rgba_to_rgb", "rgba_45x33.png", {"resize": 17, "center_crop": [17, 15], "channels": "RGB", **IMAGENET}, "exact"),
    ("palette_to_rgb", "palette_40x40.png", {"resize": 25, "center_crop": 20, "channels": "RGB"}, "exact"),
    ("gray16", "gray16_48x40.png", {"resize": 24, "center_crop": 20, "channels": "L", "scale": 1 / 65535}, "exact"),
    ("gray16_crop_only", "gray16_48x40.png", {"center_crop": [30, 40], "channels": "L", "scale": 1 / 65535}, "exact"),
    ("rgb16", "rgb16_36x30.png", {"resize": 24, "center_crop": 24, "channels": "RGB"}, "tolerance"),
    ("jpeg_rgb", "rgb_40x30.jpg", {"resize": 24, "center_crop": 24, "channels": "RGB", **IMAGENET}, "tolerance"),
    ("jpeg_crop_only", "rgb_40x30.jpg", {"center_crop": 24, "channels": "RGB"}, "tolerance"),
    ("jpeg_gray", "gray_35x45.jpg", {"resize": 30, "center_crop": [30, 28], "channels": "L"}, "tolerance"),
]


def resized_size(h, w, size):
    """torchvision's _compute_resized_output_size (max_size=None)."""
    if len(size) == 2:
        return size[0], size[1]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size[0], int(size[0] * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return new_h, new_w


def center_crop(arr, crop_h, crop_w):
    """torchvision's F.center_crop: zero padding (left/top the smaller half) where the crop is larger, then
    offsets int(round((size - crop) / 2.0)) with Python's round (half to even)."""
    h, w = arr.shape[:2]
    if crop_w > w or crop_h > h:
        left = (crop_w - w) // 2 if crop_w > w else 0
        top = (crop_h - h) // 2 if crop_h > h else 0
        right = (crop_w - w + 1) // 2 if crop_w > w else 0
        bottom = (crop_h - h + 1) // 2 if crop_h > h else 0
        arr = np.pad(arr, ((top, bottom), (left, right), (0, 0)))
        h, w = arr.shape[:2]
        if (h, w) == (crop_h, crop_w):
            return arr
    top = int(round((h - crop_h) / 2.0))
    left = int(round((w - crop_w) / 2.0))
    return arr[top:top + crop_h, left:left + crop_w]


def per_channel(value, c):
    """A number or a one-element list applies to every channel."""
    values = value if isinstance(value, list) else [value]
    return np.array(values * c if len(values) == 1 else values, np.float32)


def reference(path, pre):
    image = Image.open(path)
    image.load()
    mode = pre["channels"]
    if image.mode != "I;16" and image.mode != mode:
        image = image.convert(mode)  # what a torchvision user writes: Image.open(p).convert("RGB")
    depth_max = 65535 if image.mode == "I;16" else 255
    if "resize" in pre:
        size = pre["resize"] if isinstance(pre["resize"], list) else [pre["resize"]]
        h, w = resized_size(image.height, image.width, size)
        if (h, w) != (image.height, image.width):
            image = image.resize((w, h), Image.Resampling.BILINEAR)
    arr = np.array(image)
    if arr.ndim == 2:
        arr = arr[..., None]
    if "center_crop" in pre:
        crop = pre["center_crop"] if isinstance(pre["center_crop"], list) else [pre["center_crop"]] * 2
        arr = center_crop(arr, crop[0], crop[1])
    elif isinstance(pre.get("resize"), int):
        raise ValueError("a fixed output size needs center_crop or resize [h, w]")
    pixels = np.ascontiguousarray(arr)
    chw = pixels.transpose(2, 0, 1)
    if "scale" in pre:
        tensor = (chw.astype(np.float64) * pre["scale"]).astype(np.float32)
    else:  # ToTensor: float32 division by the maximum
        tensor = chw.astype(np.float32) / np.float32(depth_max)
    c = tensor.shape[0]
    mean = per_channel(pre.get("mean", 0.0), c)
    std = per_channel(pre.get("std", 1.0), c)
    tensor = (tensor - mean[:, None, None]) / std[:, None, None]  # Normalize, in float32
    return pixels.astype(np.float32), tensor.astype(np.float32)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    modes = make_images(out)
    cases = []
    for name, image, pre, match in CASES:
        pixels, tensor = reference(out / image, pre)
        np.save(out / f"{name}.pixels.npy", pixels)
        np.save(out / f"{name}.tensor.npy", tensor)
        cases.append({"name": name, "image": image, "pillow_mode": modes[image], "preprocess": pre, "match": match,
                      "shape": list(tensor.shape)})
    (out / "cases.json").write_text(json.dumps({"pillow": PIL.__version__, "numpy": np.__version__,
                                                "cases": cases}, indent=1) + "\n")
    print(f"{len(cases)} cases with Pillow {PIL.__version__} in {out}")


if __name__ == "__main__":
    main()
