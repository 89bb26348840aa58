"""What the end-to-end reference scripts (mnist_e2e.py, spoken_e2e.py) share: the quickstart's CNN,
the training loop with validation every epoch, the test metrics and the run's output files, each
as the pipeline writes them (DIR/model.pt for model.safetensors, history.csv, metrics.json)."""
import csv
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn


def lenet(input_shape, classes, second_padding=0):
    """quickstart.yaml's layers: conv 32 k5 p2, relu, maxpool 2, conv 64 k5, relu, maxpool 2,
    flatten, dense 128, relu, dense classes (PyTorch's default initialisation), channels_last.
    mnist-cnn.yaml pads the second conv too (second_padding="same")."""
    body = nn.Sequential(
        nn.Conv2d(input_shape[0], 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=second_padding), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    with torch.no_grad():
        flat = body(torch.zeros(1, *input_shape)).shape[1]
    return nn.Sequential(*body, nn.Linear(flat, 128), nn.ReLU(), nn.Linear(128, classes)).to(memory_format=torch.channels_last)


def evaluate(model, x, y, classes, batch=1000):
    """(mean cross-entropy, accuracy, confusion[true][predicted]) of the model on (x, y)."""
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total, confusion = 0.0, np.zeros((classes, classes), np.int64)
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i:i + batch].contiguous(memory_format=torch.channels_last))
            total += loss_fn(out, y[i:i + batch]).item()
            np.add.at(confusion, (y[i:i + batch].numpy(), out.argmax(1).numpy()), 1)
    return total / len(x), np.trace(confusion) / len(x), confusion


def macro_f1(confusion):
    tp = np.diag(confusion).astype(np.float64)
    predicted, actual = confusion.sum(0), confusion.sum(1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(tp), where=precision + recall > 0)
    return float(f1.mean())


def fit(model, batches, validation, classes, epochs, lr=0.001, step_gamma=None):
    """Adam + cross-entropy for `epochs`; `batches(epoch)` yields (x, y) training batches, and
    `validation` = (x, y) is evaluated after every epoch; `step_gamma` multiplies the rate by it
    after every epoch (StepLR(step_size=1)). Returns (history rows, seconds)."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=step_gamma) if step_gamma else None
    loss_fn = nn.CrossEntropyLoss()
    history = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        model.train()
        seen, loss_sum, correct = 0, 0.0, 0
        for xb, yb in batches(epoch):
            opt.zero_grad(set_to_none=True)
            out = model(xb.contiguous(memory_format=torch.channels_last))
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            seen += len(yb)
            loss_sum += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
        val_loss, val_acc, _ = evaluate(model, *validation, classes)
        row = dict(epoch=epoch, loss=loss_sum / seen, accuracy=correct / seen, val_loss=val_loss,
                   val_accuracy=val_acc, lr=opt.param_groups[0]["lr"], seconds=time.perf_counter() - t0)
        if schedule:
            schedule.step()
        history.append(row)
        print(f"epoch {epoch}/{epochs}: loss {row['loss']:.4f} acc {row['accuracy']:.4f} "
              f"val_loss {val_loss:.4f} val_acc {val_acc:.4f} ({row['seconds']:.1f} s)", flush=True)
    return history, time.perf_counter() - start


def write_run(out, pipeline, name, model, history, test, classes, train_seconds, **extra):
    """DIR/model.pt, DIR/history.csv and DIR/metrics.json (the pipeline's fields, plus `extra`);
    `test` = (loss, accuracy, confusion). Returns the model's metrics."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out / "model.pt")
    with open(out / "history.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(history[0]) if history else ["epoch"])
        w.writeheader()
        w.writerows(history)
    loss, accuracy, confusion = test
    metrics = {"test_accuracy": float(accuracy), "test_loss": float(loss), "macro_f1": macro_f1(confusion),
               "epochs": len(history), "train_seconds": train_seconds, "params": sum(p.numel() for p in model.parameters()),
               "classes": classes, "confusion": confusion.tolist(), **extra}
    (out / "metrics.json").write_text(json.dumps({"pipeline": pipeline, "models": {name: metrics}}, indent=2) + "\n")
    return metrics
