#!/usr/bin/env python3
"""Writes the TensorBoard event-file fixture that EventFileWriterTests compares byte for byte.

Pinned versions (the ones the committed fixture was made with):
    tensorboard==2.21.0  protobuf==7.36.2 (pulled in by tensorboard)  numpy==2.4.6
    pillow==13.0.0       torch==2.11.0 (any build; only torch.utils.tensorboard is used)

Run it in a virtual environment outside the repository, e.g.
    python3 -m venv /work/venv-tb
    /work/venv-tb/bin/pip install tensorboard==2.21.0 numpy==2.4.6 pillow==13.0.0 torch==2.11.0
    /work/venv-tb/bin/python Tests/PerceptIOTests/Fixtures/make_tensorboard_fixture.py
(The committed fixture was made with torch taken from another virtual environment on sys.path,
through a .pth file, rather than a second multi-gigabyte torch install; any torch 2.11 works.)

Every record comes from the reference code itself: the Summary protos from torch.utils.tensorboard's
summary.scalar / summary.histogram (with SummaryWriter's default "tensorflow" bins) / summary.image,
wrapped in an Event exactly as torch's FileWriter.add_summary does, and framed by tensorboard's own
RecordWriter (length, masked CRC-32C, data, masked CRC-32C). Wall times are fixed so the Swift test
can write the same events. The first event is built as tensorboard's EventFileWriter builds it, with
the writer name Percept puts in SourceMetadata.

Outputs, next to this script in tensorboard/:
    events.fixture             the event file
    image.png                  the PNG bytes inside the image event (PIL's encoding), for the Swift test
    histogram_values.npy       the float32 values of the second histogram
"""
import os
import sys
import tempfile

import numpy as np
import torch
from tensorboard.compat.proto import event_pb2
from tensorboard.summary.writer.record_writer import RecordWriter
from torch.utils.tensorboard import SummaryWriter, summary

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tensorboard")
WALL0 = 1764000000.25

# The fixed-value histogram: negatives, exact zeros, a value below the smallest edge (1e-12),
# one on an exact edge region, and a large one, so trimming at both ends is exercised.
SMALL_VALUES = [-3.5, -0.25, 0.0, 0.0, 1e-13, 0.001, 0.5, 0.75, 2.0, 1000.0]
# The image: 3 x 4 x 6 in [0, 1].
IMAGE = (np.arange(3 * 4 * 6, dtype=np.float32).reshape(3, 4, 6) / 71.0)


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        writer = SummaryWriter(log_dir=tmp)
        bins = writer.default_bins
        writer.close()

    rng = np.random.default_rng(14)
    # Multiples of 2^-10 below 1 in size: their squares add up exactly in doubles in any order, so
    # sum_squares does not depend on the summation order of numpy's BLAS dot (which depends on the
    # CPU); for arbitrary floats Percept's sequential sum may differ from it in the last bits.
    big = (np.round(rng.standard_normal(2000) * 0.05 * 1024) / 1024).astype(np.float32)
    np.save(os.path.join(OUT, "histogram_values.npy"), big)

    def summary_event(summ, step, wall):
        # torch.utils.tensorboard.writer.FileWriter.add_summary
        event = event_pb2.Event(summary=summ)
        event.wall_time = wall
        if step is not None:
            event.step = int(step)
        return event

    events = [event_pb2.Event(wall_time=WALL0, file_version="brain.Event:2",
                              source_metadata=event_pb2.SourceMetadata(writer="percept"))]
    events.append(summary_event(summary.scalar("train/loss", 0.3125), 1, WALL0 + 1.5))
    events.append(summary_event(summary.scalar("validation/accuracy", 0.98), 1, WALL0 + 2.0))
    events.append(summary_event(summary.scalar("train/loss_step", -1.75), 0, WALL0 + 2.5))
    events.append(summary_event(summary.histogram("weights/dense_1/weight",
                                                  torch.tensor(SMALL_VALUES, dtype=torch.float32), bins), 2, WALL0 + 3.0))
    events.append(summary_event(summary.histogram("activations/dense_1", torch.from_numpy(big), bins), 3, WALL0 + 3.5))
    image_summary = summary.image("filters/conv2d_1", torch.from_numpy(IMAGE), dataformats="CHW")
    with open(os.path.join(OUT, "image.png"), "wb") as f:
        f.write(image_summary.value[0].image.encoded_image_string)
    events.append(summary_event(image_summary, 4, WALL0 + 4.0))

    path = os.path.join(OUT, "events.fixture")
    with open(path, "wb") as f:
        records = RecordWriter(f)
        for e in events:
            records.write(e.SerializeToString())
    print(f"wrote {path}: {len(events)} records, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    sys.exit(main())
