"""Reference outputs for PerceptNN's PyTorch parity tests.

Run once with the reference venv (torch, numpy):  /work/venv-ref/bin/python generate.py
Writes small float32 .npy files next to this script; the Swift tests read them and never need Python.
Every config here is mirrored by name in PerceptNNTests/TorchParityTests.swift.
"""
import os
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)  # compute references in float64, store float32 inputs


def save(name, t):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    np.save(os.path.join(HERE, name + ".npy"), a.astype(np.float32))


def f32(t):
    """Round to float32 and back so Swift sees exactly the inputs torch used."""
    return t.float().double()


# Conv2d: name -> (N, Cin, H, W, Cout, kernel, stride, padding, dilation, groups)
convs = {
    "basic": (2, 3, 9, 8, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1),
    "strided": (2, 2, 10, 9, 3, (3, 2), (2, 2), (1, 2), (1, 1), 1),
    "dilated": (1, 2, 11, 10, 3, (3, 3), (1, 1), (2, 2), (2, 2), 1),
    "grouped": (2, 4, 7, 7, 6, (3, 3), (1, 2), (0, 1), (1, 1), 2),
    "same_even": (2, 2, 8, 7, 3, (4, 4), (1, 1), "same", (1, 1), 1),
    "depthwise": (1, 3, 6, 6, 3, (3, 3), (1, 1), (1, 1), (1, 1), 3),
}
for name, (n, cin, h, w, cout, k, s, p, d, g) in convs.items():
    x = f32(torch.randn(n, cin, h, w)).requires_grad_()
    wt = f32(torch.randn(cout, cin // g, *k) * 0.3).requires_grad_()
    b = f32(torch.randn(cout) * 0.1).requires_grad_()
    y = F.conv2d(x, wt, b, stride=s, padding=p, dilation=d, groups=g)
    dy = f32(torch.randn_like(y))
    y.backward(dy)
    for key, v in [("x", x), ("w", wt), ("b", b), ("y", y), ("dy", dy), ("dx", x.grad), ("dw", wt.grad), ("db", b.grad)]:
        save(f"conv_{name}_{key}", v)

# Linear
x = f32(torch.randn(3, 7)).requires_grad_()
wt = f32(torch.randn(5, 7) * 0.4).requires_grad_()
b = f32(torch.randn(5) * 0.1).requires_grad_()
y = F.linear(x, wt, b)
dy = f32(torch.randn_like(y))
y.backward(dy)
for key, v in [("x", x), ("w", wt), ("b", b), ("y", y), ("dy", dy), ("dx", x.grad), ("dw", wt.grad), ("db", b.grad)]:
    save(f"dense_{key}", v)

# Pooling: name -> (kind, kernel, stride, padding, extra)
x = f32(torch.randn(2, 3, 9, 9)).requires_grad_()
save("pool_x", x)
pools = {
    "max_k2": ("max", 2, 2, 0, {}),
    "max_k3s2p1": ("max", 3, 2, 1, {}),
    "max_k32_dil2": ("max", (3, 2), (2, 1), 0, {"dilation": 2}),
    "avg_k2": ("avg", 2, 2, 0, {}),
    "avg_k3s2p1": ("avg", 3, 2, 1, {}),
    "avg_k3s2p1_nopad": ("avg", 3, 2, 1, {"count_include_pad": False}),
}
for name, (kind, k, s, p, extra) in pools.items():
    x.grad = None
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    y = fn(x, k, s, p, **extra)
    dy = f32(torch.randn_like(y))
    y.backward(dy)
    save(f"pool_{name}_y", y)
    save(f"pool_{name}_dy", dy)
    save(f"pool_{name}_dx", x.grad)

# Losses on fixed logits
logits = f32(torch.randn(6, 5) * 2).requires_grad_()
labels = torch.tensor([0, 3, 1, 4, 2, 3])
soft = f32(torch.rand(6, 5))
save("loss_logits", logits)
save("loss_labels", labels.double())
save("loss_targets", soft)
losses = {
    "cross_entropy": lambda z: F.cross_entropy(z, labels),
    "cross_entropy_ls": lambda z: F.cross_entropy(z, labels, label_smoothing=0.1),
    "bce_with_logits": lambda z: F.binary_cross_entropy_with_logits(z, soft),
    "mse": lambda z: F.mse_loss(z, soft),
    "mae": lambda z: F.l1_loss(z, soft),
    "hinge": lambda z: F.multi_margin_loss(z, labels),
    "hinge_m05": lambda z: F.multi_margin_loss(z, labels, margin=0.5),
}
for name, fn in losses.items():
    logits.grad = None
    l = fn(logits)
    l.backward()
    save(f"loss_{name}_value", l.reshape(1))
    save(f"loss_{name}_grad", logits.grad)

total = sum(os.path.getsize(os.path.join(HERE, f)) for f in os.listdir(HERE) if f.endswith(".npy"))
print(f"wrote fixtures: {total} bytes")
