"""PyTorch's side of the training benchmarks, on one thread, in float64.

The same computations as TrainingBenchmarks and MatmulBenchmarks: one step of
a 64-256-1 tanh network with mean squared error and Adam on 2,048 rows, and a
512x512 by 512x512 product with its backward. Prints the median and minimum
wall time of each over repeated runs.

    python3 Benchmarks/PyTorch/training_step.py      # needs torch (CPU is enough)
"""

import statistics
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(1)
torch.set_default_dtype(torch.float64)


def measure(label, body, seconds=3.0, warmup=2):
    for _ in range(warmup):
        body()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    print(f"{label}: median {statistics.median(times) * 1e3:.2f} ms, "
          f"min {min(times) * 1e3:.2f} ms ({len(times)} runs)")


model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.Tanh(), torch.nn.Linear(256, 1))
inputs, targets = torch.randn(2048, 64), torch.randn(2048, 1)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def training_step():
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(inputs), targets)
    loss.backward()
    optimizer.step()


a = torch.randn(512, 512, requires_grad=True)
b = torch.randn(512, 512, requires_grad=True)
seed = torch.randn(512, 512)


def matmul_forward():
    with torch.no_grad():
        a @ b


def matmul_forward_backward():
    (a @ b).backward(seed)
    a.grad = None
    b.grad = None


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
measure("training step 64-256-1, 2048 rows", training_step)
measure("matmul 512x512 forward", matmul_forward)
measure("matmul 512x512 forward+backward", matmul_forward_backward)
