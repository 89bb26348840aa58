"""PyTorch references for the sequence layers of PerceptNN (LSTM, GRU, Conv1d, BatchNorm).

Run with the reference venv:  /work/venv-ref/bin/python Tests/PerceptNNTests/Fixtures/rnn/generate.py
Writes small float32 .npy files next to this script: inputs, weights (state_dict names),
outputs, an upstream gradient and the resulting input/parameter gradients (float64 math).
"""
import os
import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)


def save(name, t):
    a = t.detach().cpu().numpy() if torch.is_tensor(t) else np.asarray(t)
    np.save(os.path.join(HERE, name + ".npy"), a.astype(np.float32))


def rnn_case(name, cls, input_size, hidden, layers, bidirectional, batch, frames, lengths=None, last=False):
    m = cls(input_size, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-0.6, 0.6)
    x = (torch.randn(batch, frames, input_size)).requires_grad_(True)
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out, state = m(packed)
        y, _ = pad_packed_sequence(out, batch_first=True, total_length=frames)
    else:
        y, state = m(x)
    h_n = state[0] if isinstance(state, tuple) else state
    if last:
        # PyTorch's h_n is [layers·dirs, B, H]; Percept's last state is [B, dirs·H] of the top layer.
        d = 2 if bidirectional else 1
        y = torch.cat([h_n[-d + k] for k in range(d)], dim=1)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    save(f"{name}_x", x)
    save(f"{name}_y", y)
    save(f"{name}_dy", dy)
    save(f"{name}_dx", x.grad)
    if lengths is not None:
        save(f"{name}_lengths", np.array(lengths, dtype=np.float32))
    for pname, p in m.named_parameters():
        save(f"{name}_{pname}", p)
        save(f"{name}_grad_{pname}", p.grad)


rnn_case("lstm_seq", nn.LSTM, 3, 4, 1, False, 2, 5)
rnn_case("lstm_stack_bi", nn.LSTM, 3, 4, 2, True, 2, 5)
rnn_case("lstm_last_masked", nn.LSTM, 3, 4, 1, True, 3, 6, lengths=[6, 3, 1], last=True)
rnn_case("gru_seq", nn.GRU, 3, 4, 1, False, 2, 5)
rnn_case("gru_stack_bi", nn.GRU, 3, 4, 2, True, 2, 5)
rnn_case("gru_last_masked", nn.GRU, 3, 4, 1, True, 3, 6, lengths=[6, 3, 1], last=True)


def bn_case(name, cls, shape, channels):
    m = cls(channels, momentum=0.1, eps=1e-5)
    with torch.no_grad():
        m.weight.uniform_(0.5, 1.5)
        m.bias.uniform_(-0.5, 0.5)
    m.train()
    x = (torch.randn(*shape) * 2 + 0.5).requires_grad_(True)
    y = m(x)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    for k, v in [("x", x), ("y", y), ("dy", dy), ("dx", x.grad), ("weight", m.weight), ("bias", m.bias),
                 ("grad_weight", m.weight.grad), ("grad_bias", m.bias.grad),
                 ("running_mean", m.running_mean), ("running_var", m.running_var)]:
        save(f"{name}_{k}", v)
    # Evaluation with the updated running statistics (a second input).
    m.eval()
    x2 = torch.randn(*shape)
    save(f"{name}_x_eval", x2)
    save(f"{name}_y_eval", m(x2))


bn_case("bn1d_flat", nn.BatchNorm1d, (6, 4), 4)
bn_case("bn1d_seq", nn.BatchNorm1d, (4, 3, 5), 3)
bn_case("bn2d", nn.BatchNorm2d, (3, 2, 4, 5), 2)


def conv1d_case(name, cin, cout, k, frames, batch, **kw):
    m = nn.Conv1d(cin, cout, k, **kw)
    x = torch.randn(batch, cin, frames).requires_grad_(True)
    y = m(x)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    for key, v in [("x", x), ("y", y), ("dy", dy), ("dx", x.grad), ("weight", m.weight), ("bias", m.bias),
                   ("grad_weight", m.weight.grad), ("grad_bias", m.bias.grad)]:
        save(f"{name}_{key}", v)


conv1d_case("conv1d_basic", 3, 4, 3, 9, 2)
conv1d_case("conv1d_strided", 3, 5, 3, 11, 2, stride=2, padding=1, dilation=2)
conv1d_case("conv1d_same", 2, 3, 4, 7, 3, padding="same")
# Hidden 9: 8 units on the vector path and one on the scalar tail (appended last so the
# earlier cases keep their random draws).
rnn_case("lstm_wide_masked", nn.LSTM, 5, 9, 1, True, 3, 6, lengths=[6, 4, 2])
rnn_case("gru_wide_masked", nn.GRU, 5, 9, 1, True, 3, 6, lengths=[6, 4, 2])
print("ok")
