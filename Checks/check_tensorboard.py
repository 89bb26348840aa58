#!/usr/bin/env python3
"""Checks a Percept run's TensorBoard event files with TensorBoard's own reader.

Usage: check_tensorboard.py runs/<name>

Needs tensorboard==2.21.0 (its dependencies bring numpy and protobuf); `make check-tensorboard`
installs it into .venv-check/. For every model folder runs/<name>/tensorboard/<model>/ it loads
all events with tensorboard's EventAccumulator (size guidance 0: keep everything) and checks the
telemetry contract:
  - the first record of each event file is file_version "brain.Event:2" with a wall time;
  - per optimizer step: train/loss_step, train/accuracy_step, train/learning_rate exist, with
    strictly increasing steps;
  - per epoch: train/loss, train/accuracy, train/learning_rate_epoch, train/samples_per_second,
    and validation/loss, validation/accuracy when history.csv has validation values; their steps
    are history.csv's epochs and their values its columns (within relative 1e-5: it prints %.6g);
  - every histogram's bucket counts add up to its num, and for weights/<layer>/<param> num is the
    parameter's size in models/<model>/model.safetensors (layer names: the architecture's
    layer type and its 1-based count among layers of that type, e.g. conv2d_1, dense_2);
  - every image is a PNG whose header and decoded data match the width and height it claims.
Prints one line per model; exits 1 with the reasons when anything fails.
"""
import csv
import glob
import json
import math
import os
import struct
import sys
import zlib

from tensorboard.backend.event_processing import event_accumulator, event_file_loader

STEP_TAGS = ["train/loss_step", "train/accuracy_step", "train/learning_rate"]
# epoch tag -> history.csv column
EPOCH_TAGS = {"train/loss": "loss", "train/accuracy": "accuracy", "train/learning_rate_epoch": "lr"}
VALIDATION_TAGS = {"validation/loss": "val_loss", "validation/accuracy": "val_accuracy"}
OTHER_EPOCH_TAGS = ["train/samples_per_second"]
RELATIVE_TOLERANCE = 1e-5


def read_history(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def parameter_sizes(path):
    """{"conv2d_1/weight": 800, ...} from the safetensors header and the architecture metadata."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    meta = header.pop("__metadata__", {})
    sizes_by_key = {k: math.prod(v["shape"]) for k, v in header.items()}
    names = {}
    try:
        layers = json.loads(meta.get("architecture", "{}")).get("layers", [])
    except json.JSONDecodeError:
        layers = []
    counts = {}
    for index, layer in enumerate(layers):
        kind = layer.get("type", "layer")
        counts[kind] = counts.get(kind, 0) + 1
        names[str(index)] = layer.get("name") or f"{kind}_{counts[kind]}"
    sizes = {}
    for key, size in sizes_by_key.items():
        index, _, param = key.partition(".")
        sizes[f"{names.get(index, index)}/{param}"] = size
    return sizes


def png_size(data):
    """(width, height) after checking the signature, chunk CRCs and that IDAT inflates to the
    exact size its header implies; raises ValueError otherwise."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG (bad signature)")
    pos, chunks = 8, []
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        if pos + 12 + length > len(data):
            raise ValueError("truncated PNG")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        chunks.append((kind, body))
        pos += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise ValueError("missing IHDR or IEND")
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(color)
    if channels is None or interlace != 0:
        raise ValueError(f"unsupported colour type {color} / interlace {interlace}")
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    expected = height * (1 + (width * channels * depth + 7) // 8)
    if len(raw) != expected:
        raise ValueError(f"pixel data inflates to {len(raw)} bytes, not the {expected} of {width}x{height}")
    return width, height


def brief(steps):
    """A list of steps, shortened when long: "[1, 2, 3, ..., 15] (15)"."""
    return str(steps) if len(steps) <= 6 else f"[{steps[0]}, {steps[1]}, {steps[2]}, ..., {steps[-1]}] ({len(steps)})"


def close(a, b):
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) or abs(a - b) < 1e-12


def check_model(model_dir, run_dir):
    model = os.path.basename(model_dir)
    problems = []
    files = sorted(glob.glob(os.path.join(model_dir, "events.out.tfevents.*")))
    if not files:
        return [f"no events.out.tfevents.* file in {model_dir}"], ""
    for path in files:
        first = next(iter(event_file_loader.LegacyEventFileLoader(path).Load()), None)
        if first is None or first.file_version != "brain.Event:2" or first.wall_time <= 0:
            problems.append(f"{path}: first event is not file_version brain.Event:2 with a wall time")

    acc = event_accumulator.EventAccumulator(model_dir, size_guidance=event_accumulator.STORE_EVERYTHING_SIZE_GUIDANCE)
    acc.Reload()
    tags = acc.Tags()
    scalars = set(tags["scalars"])

    history_path = os.path.join(run_dir, "models", model, "history.csv")
    history = read_history(history_path) if os.path.exists(history_path) else None
    if history is None:
        problems.append(f"{history_path} is missing")
    epoch_tags = dict(EPOCH_TAGS)
    if history and all(row.get("val_loss") not in (None, "") for row in history):
        epoch_tags.update(VALIDATION_TAGS)

    for tag in STEP_TAGS + list(epoch_tags) + OTHER_EPOCH_TAGS:
        if tag not in scalars:
            problems.append(f"scalar {tag} is missing")
    steps_total = 0
    for tag in STEP_TAGS:
        if tag in scalars:
            steps = [e.step for e in acc.Scalars(tag)]
            steps_total = max(steps_total, len(steps))
            if not steps:
                problems.append(f"{tag} has no events")
            elif any(b <= a for a, b in zip(steps, steps[1:])):
                problems.append(f"{tag}: steps are not strictly increasing")
    if history is not None:
        rows = {int(row["epoch"]): row for row in history}
        for tag in list(epoch_tags) + OTHER_EPOCH_TAGS:
            if tag not in scalars:
                continue
            events = acc.Scalars(tag)
            steps = [e.step for e in events]
            if steps != list(rows):
                problems.append(f"{tag}: steps {brief(steps)} are not history.csv's epochs {brief(list(rows))}")
            column = epoch_tags.get(tag)
            for e in events:
                if column is None:
                    if not e.value > 0:
                        problems.append(f"{tag} at epoch {e.step}: {e.value!r}, expected > 0")
                elif e.step in rows and not close(e.value, float(rows[e.step][column])):
                    problems.append(f"{tag} at epoch {e.step}: {e.value!r} but history.csv {column} is {rows[e.step][column]}")

    sizes_path = os.path.join(run_dir, "models", model, "model.safetensors")
    sizes = parameter_sizes(sizes_path) if os.path.exists(sizes_path) else None
    weight_tags = [t for t in tags["histograms"] if t.startswith("weights/")]
    if weight_tags and sizes is None:
        problems.append(f"{sizes_path} is missing, so weight histograms cannot be checked")
    histogram_count = 0
    for tag in tags["histograms"]:
        for e in acc.Histograms(tag):
            histogram_count += 1
            h = e.histogram_value
            if sum(h.bucket) != h.num:
                problems.append(f"{tag} at step {e.step}: buckets add up to {sum(h.bucket):.0f}, num is {h.num:.0f}")
            if len(h.bucket) != len(h.bucket_limit):
                problems.append(f"{tag} at step {e.step}: {len(h.bucket)} buckets but {len(h.bucket_limit)} limits")
            if tag.startswith("weights/") and sizes is not None:
                name = tag[len("weights/"):]
                if name not in sizes:
                    problems.append(f"{tag}: no parameter {name} in model.safetensors (has {', '.join(sorted(sizes))})")
                elif h.num != sizes[name]:
                    problems.append(f"{tag} at step {e.step}: num {h.num:.0f}, but {name} has {sizes[name]} parameters")
    if not weight_tags:
        problems.append("no weights/ histograms")

    image_count = 0
    for tag in tags["images"]:
        for e in acc.Images(tag):
            image_count += 1
            if e.width <= 0 or e.height <= 0:
                problems.append(f"{tag} at step {e.step}: size {e.width}x{e.height}")
                continue
            try:
                size = png_size(e.encoded_image_string)
            except (ValueError, zlib.error, struct.error) as err:
                problems.append(f"{tag} at step {e.step}: {err}")
                continue
            if size != (e.width, e.height):
                problems.append(f"{tag} at step {e.step}: PNG is {size[0]}x{size[1]}, event says {e.width}x{e.height}")

    summary = (f"{model}: {len(files)} event file(s), {steps_total} steps, "
               f"{len(history) if history else 0} epochs, {len(scalars)} scalar tags, "
               f"{histogram_count} histograms ({len(tags['histograms'])} tags), {image_count} images ({len(tags['images'])} tags)")
    return problems, summary


def main(argv):
    if len(argv) != 2:
        print("usage: check_tensorboard.py runs/<name>", file=sys.stderr)
        return 2
    run_dir = argv[1]
    root = os.path.join(run_dir, "tensorboard")
    if not os.path.isdir(root):
        print(f"check_tensorboard: {root} does not exist (the run wrote no TensorBoard events)", file=sys.stderr)
        return 1
    models = sorted(d for d in glob.glob(os.path.join(root, "*")) if os.path.isdir(d))
    if not models:
        print(f"check_tensorboard: no model folders in {root}", file=sys.stderr)
        return 1
    failed = False
    for model_dir in models:
        problems, summary = check_model(model_dir, run_dir)
        if problems:
            failed = True
            print(f"FAIL {os.path.basename(model_dir)}:")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"ok   {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
