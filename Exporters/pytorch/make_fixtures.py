"""Write the PyTorch fixtures of Tests/Fixtures/pytorch from real PyTorch runs.

Run from the repository root (the package need not be installed):

    python Exporters/pytorch/make_fixtures.py

Every value is fixed or drawn after ``torch.manual_seed``, so that the same
PyTorch writes the same files.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from autograd_export import export  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "..", "Tests", "Fixtures", "pytorch")
f64 = torch.float64

TANH_AT = [-18, -2, -0.5, 0, 0.25, 1, 2, 5, 10, 15, 18, 19.5]
SIGMOID_AT = [-40, -20, -5, -1, 0, 1, 5, 20, 30, 36, 40]
SOFTPLUS_AT = [-30, -5, 0, 5, 19, 20.5, 25, 40]


def lesson_loss(predicted, real):
    """The lesson's loss: the squared error of the predictions."""
    return ((predicted - real) ** 2).sum()


def mlp_loss(x, w, b, y):
    """One tanh layer, weighted by the constant y."""
    return (torch.tanh(x @ w + b) * y).sum()


def layer_loss(x, w, b):
    """A tanh layer that saturates: the README's session."""
    return torch.tanh(x @ w + b).sum()


def many_ops(a, b, m):
    """As many of the exporter's ops as reasonable, at well-conditioned points:
    ``a`` [3, 4] in (0.5, 1.5), ``b`` [4] in (0.5, 1.5), ``m`` [4, 3]."""
    e = torch.exp(a) + torch.log(a) - torch.sqrt(a)
    s = torch.sin(e) * torch.cos(a) / (1 + a)
    g = torch.sigmoid(s) + torch.log1p(a) + torch.expm1(-a) + F.softplus(s)
    p = g ** 2 + a ** 1.5 + 2 / a - (3 - a) * 0.5
    q = torch.clamp(p, 4.0, 4.4) + torch.relu(s - 0.25) + torch.abs(s - 0.06) - (-a)  # both sides of each kink
    col = q.mean(dim=0)  # [4]
    row = q.sum(dim=1, keepdim=True)  # [3, 1]
    r = q / row + col  # [3, 4]
    top = r.max(dim=1).values  # [3]
    peak = r.amax()
    t = r.transpose(0, 1).reshape(2, 6)
    part = t.narrow(1, 1, 4)  # [2, 4]
    joined = torch.cat([t[0, 2:5], t.select(0, 1)])  # [9]
    stacked = torch.stack([b, col])  # [2, 4]
    w = torch.where(stacked > 1.0, stacked, -stacked)
    products = (r @ b) * (b @ m)  # [3]: a matrix times a vector, a vector times a matrix
    return products.sum() + top.sum() + peak + part.sum() + joined.mean() + w.sum()


def layer_inputs() -> dict:
    """The README session's inputs: x scaled by 10, so that some units saturate."""
    torch.manual_seed(0)
    x = torch.randn(4, 3, dtype=f64) * 10
    w = torch.randn(3, 5, dtype=f64)
    b = torch.randn(5, dtype=f64)
    return {"x": x, "w": w, "b": b}


def fixtures() -> list[tuple[str, object, dict, dict]]:
    """(file name, function, inputs, constants) for each fixture."""
    torch.manual_seed(0)
    real, predicted = torch.rand(3, 8, dtype=f64), torch.rand(3, 8, dtype=f64)
    torch.manual_seed(0)
    x, w, b, y = (torch.randn(*shape, dtype=f64) for shape in ([4, 3], [3, 5], [5], [4, 5]))
    torch.manual_seed(0)
    a, v, m = 0.5 + torch.rand(3, 4, dtype=f64), 0.5 + torch.rand(4, dtype=f64), torch.randn(4, 3, dtype=f64)
    return [
        ("tanh.json", lambda x: torch.tanh(x).sum(), {"x": torch.tensor(TANH_AT, dtype=f64)}, {}),
        ("sigmoid.json", lambda x: torch.sigmoid(x).sum(), {"x": torch.tensor(SIGMOID_AT, dtype=f64)}, {}),
        ("lesson.json", lesson_loss, {"predicted": predicted}, {"real": real}),
        ("mlp.json", mlp_loss, {"x": x, "w": w, "b": b}, {"y": y}),
        ("many_ops.json", many_ops, {"a": a, "b": v, "m": m}, {}),
        ("softplus.json", lambda x: F.softplus(x).sum(), {"x": torch.tensor(SOFTPLUS_AT, dtype=f64)}, {}),
        ("layer.json", layer_loss, layer_inputs(), {}),
        ("tanh_float32.json", lambda x: torch.tanh(x).sum(), {"x": torch.tensor(TANH_AT, dtype=torch.float32)}, {}),
    ]


def main() -> None:
    os.makedirs(FIXTURES, exist_ok=True)
    for file_name, fn, inputs, constants in fixtures():
        path = os.path.join(FIXTURES, file_name)
        doc = export(fn, inputs, path, constants=constants)
        ops = sorted({node["op"] for node in doc["nodes"]})
        shapes = ", ".join(f"{e['name']}{e['shape']}{'' if e['requires_grad'] else ' const'}" for e in doc["inputs"])
        with_gradient = sum("gradient" in node for node in doc["nodes"])
        print(f"{file_name}: {doc['dtype']}, inputs {shapes}; {len(doc['nodes'])} nodes ({' '.join(ops)}),"
              f" {with_gradient} with a gradient;"
              f" {os.path.getsize(path)} bytes; {doc['producer']}")


if __name__ == "__main__":
    main()
