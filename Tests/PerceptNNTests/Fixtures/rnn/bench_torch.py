"""PyTorch CPU side of the recurrent training benchmark (issue 8): one-layer LSTM or GRU,
hidden 128, 100 frames x 40 features, batch 32, linear head to 10 classes, Adam, cross-entropy.
Prints training samples/s for 1 and 2 threads.  Percept's side: RecurrentBenchmarkTests
(PERCEPT_BENCH=1 swift test -c release --filter RecurrentBenchmarkTests).

    /work/venv-ref/bin/python Tests/PerceptNNTests/Fixtures/rnn/bench_torch.py
"""
import time
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(40, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1])


def bench(cell, threads, steps=30):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = Net(cell)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(32, 100, 40)
    y = torch.randint(0, 10, (32,))
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(5):
        opt.zero_grad(); loss_fn(net(x), y).backward(); opt.step()
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad(); loss_fn(net(x), y).backward(); opt.step()
        best = max(best, steps * 32 / (time.perf_counter() - t))
    return best


for name, cell in [("lstm", nn.LSTM), ("gru", nn.GRU)]:
    for threads in (1, 2):
        print(f"torch {torch.__version__} {name} threads={threads}: {bench(cell, threads):.0f} samples/s")
