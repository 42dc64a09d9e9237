"""Tests of the PyTorch exporter (standard library unittest only).

Run from Exporters/pytorch: ``python -m unittest discover -s tests -v``.

Each recorded document is checked three ways: it is well formed as the graph
interchange format specifies; its gradients are bit for bit those PyTorch
computes for the function itself; and replaying its nodes with PyTorch gives
every node's declared shape, the function's value and (within rounding) its
gradients, the inputs' and the nodes', which checks what each op was written as.
Node gradients are also compared bit for bit with PyTorch's retained gradients.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    torch = None

if torch is not None:
    from autograd_export import UnsupportedOperation, export, record

needs_torch = unittest.skipIf(torch is None, "torch is not installed: `pip install torch` to run the exporter's tests")

# The format, as GraphInterchangeFormat.md specifies it: for each op, the
# numbers of args it takes (with the parameters it needs and may have).
DOCUMENT_KEYS = {"format", "version", "dtype", "producer", "inputs", "nodes", "output"}
INPUT_KEYS = {"name", "shape", "values", "requires_grad", "gradient"}
UNARY = {"neg", "abs", "relu", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "log1p", "expm1", "softplus"}
COMPARISONS = {"gt", "lt", "ge", "le", "ne"}


def op_forms(op: str) -> list[tuple[object, set[str], set[str]]]:
    """(arg count, or "2+"; required parameters; optional parameters) for ``op``."""
    if op in {"add", "sub", "mul", "div"} | COMPARISONS:
        return [(2, set(), set()), (1, {"scalar"}, set())]
    forms = {
        "rsub": (1, {"scalar"}, set()), "rdiv": (1, {"scalar"}, set()),
        "pow": (1, {"exponent"}, set()), "clamp": (1, set(), {"min", "max"}),
        "sum": (1, set(), {"dim"}), "mean": (1, set(), {"dim"}), "max": (1, set(), {"dim"}),
        "matmul": (2, set(), set()), "transpose": (1, {"dims"}, set()), "reshape": (1, {"to"}, set()),
        "narrow": (1, {"dim", "start", "length"}, set()), "cat": ("2+", {"dim"}, set()), "where": (3, set(), set()),
    }
    if op in UNARY:
        return [(1, set(), set())]
    return [forms[op]]


def t64(*shape: int, low: float = 0.5, high: float = 1.5, seed: int = 0) -> "torch.Tensor":
    """Seeded float64 values in [low, high)."""
    generator = torch.Generator().manual_seed(seed)
    return low + (high - low) * torch.rand(*shape, generator=generator, dtype=torch.float64)


def is_hex(text: object) -> bool:
    return isinstance(text, str) and (text.startswith(("0x", "-0x")) or text in ("inf", "-inf", "nan"))


def exact(values: list[str]) -> list[float]:
    return [float.fromhex(v) if v != "nan" else math.nan for v in values]


class ValidatingTestCase(unittest.TestCase):
    """Checks documents against the spec and against PyTorch."""

    def validate(self, doc: dict) -> None:
        """The document is well formed: keys, names, args, numbers, shapes."""
        self.assertLessEqual(set(doc), DOCUMENT_KEYS)
        self.assertEqual((doc["format"], doc["version"]), ("autograd-graph", 1))
        self.assertIn(doc["dtype"], ("float64", "float32"))
        self.assertRegex(doc["producer"], r"^torch \d+\.\d+\.\d+$")
        self.assertGreaterEqual(len(doc["inputs"]), 1)
        names: set[str] = set()
        for entry in doc["inputs"]:
            self.assertLessEqual(set(entry), INPUT_KEYS)
            self.assertNotIn(entry["name"], names)
            names.add(entry["name"])
            count = math.prod(entry["shape"])
            self.assertTrue(all(isinstance(n, int) and n >= 0 for n in entry["shape"]))
            self.assertEqual(len(entry["values"]), count)
            self.assertTrue(all(is_hex(v) for v in entry["values"]), entry["values"][:3])
            self.assertIsInstance(entry["requires_grad"], bool)
            if entry["requires_grad"]:
                self.assertEqual(len(entry["gradient"]), count)
                self.assertTrue(all(is_hex(v) for v in entry["gradient"]))
            else:
                self.assertNotIn("gradient", entry)
        for node in doc["nodes"]:
            self.assertNotIn(node["name"], names)
            for arg in node["args"]:
                self.assertIn(arg, names, f"{node['name']} reads {arg} before it is defined")
            names.add(node["name"])
            keys = list(node)
            self.assertEqual(keys[:4], ["name", "op", "args", "shape"], node["name"])
            if "gradient" in node:
                self.assertEqual(keys[-1], "gradient", node["name"])
                self.assertNotIn(node["op"], COMPARISONS, node["name"])
                self.assertEqual(len(node["gradient"]), math.prod(node["shape"]), node["name"])
                self.assertTrue(all(is_hex(v) for v in node["gradient"]), node["name"])
            params = set(node) - {"name", "op", "args", "shape", "gradient"}
            forms = op_forms(node["op"])
            self.assertTrue(
                any((n == len(node["args"]) or (n == "2+" and len(node["args"]) >= 2))
                    and required <= params <= required | optional for n, required, optional in forms),
                f"malformed node {node}",
            )
            for key in ("scalar", "min", "max"):
                if key in node:
                    self.assertTrue(is_hex(node[key]), node)
            if "exponent" in node:
                self.assertTrue(isinstance(node["exponent"], int) or is_hex(node["exponent"]), node)
            for key in ("dim", "start", "length"):
                if key in node:
                    self.assertIsInstance(node[key], int)
            for key in ("dims", "to", "shape"):
                if key in node:
                    self.assertTrue(all(isinstance(n, int) for n in node[key]), node)
        self.assertIn(doc["output"], names)
        # Hexadecimal strings are exact: they parse back to the same bits.
        for entry in doc["inputs"] + doc["nodes"]:
            for text in entry.get("values", []) + entry.get("gradient", []):
                if text != "nan":
                    self.assertEqual(float.fromhex(text).hex(), text if text[0] != "i" else float(text).hex())

    def replay(self, doc: dict) -> tuple["torch.Tensor", dict[str, "torch.Tensor"]]:
        """Evaluate the document's nodes with PyTorch, checking each node's shape;
        return the output and the gradients of the inputs that require grad and
        of the nodes (``None`` where none reaches them)."""
        dtype = {"float64": torch.float64, "float32": torch.float32}[doc["dtype"]]
        env: dict[str, torch.Tensor] = {}
        for entry in doc["inputs"]:
            tensor = torch.tensor(exact(entry["values"]), dtype=dtype).reshape(entry["shape"])
            env[entry["name"]] = tensor.requires_grad_(entry["requires_grad"])
        for node in doc["nodes"]:
            args, op = [env[a] for a in node["args"]], node["op"]
            real = lambda key: float.fromhex(node[key]) if key in node else None  # noqa: E731
            if op in {"add", "sub", "mul", "div"} | COMPARISONS:
                other = args[1] if len(args) == 2 else real("scalar")
                value = getattr(torch, op)(args[0], other)
            elif op == "rsub":
                value = real("scalar") - args[0]
            elif op == "rdiv":
                value = real("scalar") / args[0]
            elif op == "softplus":
                value = F.softplus(args[0])
            elif op in UNARY:
                value = getattr(torch, op)(args[0])
            elif op == "pow":
                e = node["exponent"]
                value = args[0] ** (e if isinstance(e, int) else float.fromhex(e))
            elif op == "clamp":
                value = torch.clamp(args[0], real("min"), real("max"))
            elif op in ("sum", "mean", "max"):
                reduce = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[op]
                value = reduce(args[0], node["dim"]) if "dim" in node else reduce(args[0])
            elif op == "matmul":
                value = args[0] @ args[1]
            elif op == "transpose":
                value = args[0].transpose(*node["dims"])
            elif op == "reshape":
                value = args[0].reshape(node["to"])
            elif op == "narrow":
                value = args[0].narrow(node["dim"], node["start"], node["length"])
            elif op == "cat":
                value = torch.cat(args, node["dim"])
            elif op == "where":
                value = torch.where(*args)
            else:
                self.fail(f"unknown op {op}")
            self.assertEqual(list(value.shape), node["shape"], f"shape of {node}")
            if value.requires_grad:
                value.retain_grad()
            env[node["name"]] = value
        output = env[doc["output"]]
        output.sum().backward()
        grads = {e["name"]: env[e["name"]].grad for e in doc["inputs"] if e["requires_grad"]}
        return output, grads | {n["name"]: env[n["name"]].grad for n in doc["nodes"]}

    def check_node_gradients(self, doc: dict, grads: dict, tolerance: float) -> None:
        """Each node gradient written is, within rounding, the replayed document's."""
        for node in doc["nodes"]:
            if "gradient" in node:
                replayed = grads[node["name"]]
                self.assertIsNotNone(replayed, f"{node['name']} has a gradient but does not reach the output")
                expected = torch.tensor(exact(node["gradient"]), dtype=replayed.dtype).reshape(replayed.shape)
                self.assertTrue(torch.allclose(replayed, expected, rtol=tolerance, atol=tolerance), node["name"])

    def check(self, fn, inputs, ops: list[str] | None = None, constants=None) -> dict:
        """Record ``fn``; validate; compare with PyTorch's gradients (bit for bit)
        and with a replay of the document; and, if given, the ops written."""
        doc = record(fn, inputs, constants=constants)
        self.validate(doc)
        if ops is not None:
            self.assertEqual([n["op"] for n in doc["nodes"]], ops)
        named = dict(inputs) if isinstance(inputs, dict) else {f"x{i}": v for i, v in enumerate(inputs)}
        leaves = {k: v.detach().clone().requires_grad_() for k, v in named.items()}
        fixed = {k: v.detach().clone() for k, v in (constants or {}).items()}
        value = fn(**leaves, **fixed) if isinstance(inputs, dict) else fn(*leaves.values(), **fixed)
        value.backward()
        by_name = {e["name"]: e for e in doc["inputs"]}
        for name, leaf in leaves.items():
            grad = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
            self.assertEqual(exact(by_name[name]["gradient"]), grad.reshape(-1).double().tolist(), name)
            self.assertEqual(exact(by_name[name]["values"]), leaf.detach().reshape(-1).double().tolist())
        output, grads = self.replay(doc)
        tolerance = 1e-12 if doc["dtype"] == "float64" else 1e-5
        self.assertTrue(torch.allclose(output.detach().reshape(-1), value.detach().reshape(-1), rtol=tolerance, atol=0))
        for name, grad in grads.items():
            if name in leaves:
                grad = grad if grad is not None else torch.zeros_like(leaves[name])
                expected = torch.tensor(exact(by_name[name]["gradient"]), dtype=grad.dtype).reshape(grad.shape)
                self.assertTrue(torch.allclose(grad, expected, rtol=tolerance, atol=tolerance), name)
        self.check_node_gradients(doc, grads, tolerance)
        return doc


@needs_torch
class SupportedOpsTests(ValidatingTestCase):
    """Every supported PyTorch op, recorded and checked."""

    def setUp(self) -> None:
        self.a, self.b, self.v = t64(3, 4), t64(3, 4, seed=1), t64(4, seed=2)

    def test_arithmetic(self) -> None:
        a, b, v = self.a, self.b, self.v
        cases = {
            "x + y broadcast": (lambda x, y: (x + y).sum(), [a, v], ["add", "sum"]),
            "torch.add": (lambda x, y: torch.add(x, y).sum(), [a, b], ["add", "sum"]),
            "x + 2": (lambda x: (x + 2).sum(), [a], ["add", "sum"]),
            "2 + x": (lambda x: (2 + x).sum(), [a], ["add", "sum"]),
            "x - y": (lambda x, y: (x - y).sum(), [a, b], ["sub", "sum"]),
            "x.sub(0.5)": (lambda x: x.sub(0.5).sum(), [a], ["sub", "sum"]),
            "2 - x": (lambda x: (2 - x).sum(), [a], ["rsub", "sum"]),
            "torch.rsub(x, 2)": (lambda x: torch.rsub(x, 2).sum(), [a], ["rsub", "sum"]),
            "torch.rsub(x, y)": (lambda x, y: torch.rsub(x, y).sum(), [a, b], ["sub", "sum"]),
            "x * y": (lambda x, y: (x * y).sum(), [a, b], ["mul", "sum"]),
            "3 * x": (lambda x: (3 * x).sum(), [a], ["mul", "sum"]),
            "x / y": (lambda x, y: (x / y).sum(), [a, v], ["div", "sum"]),
            "x / 3": (lambda x: (x / 3).sum(), [a], ["div", "sum"]),
            "2 / x": (lambda x: (2 / x).sum(), [a], ["rdiv", "sum"]),
            "torch.div": (lambda x, y: torch.div(x, y).sum(), [a, b], ["div", "sum"]),
            "torch.true_divide": (lambda x, y: torch.true_divide(x, y).sum(), [a, b], ["div", "sum"]),
        }
        self.run_cases(cases)

    def test_elementwise(self) -> None:
        a = self.a
        unary = [
            ("-x", lambda x: (-x).sum(), "neg"),
            ("torch.neg", lambda x: torch.neg(x).sum(), "neg"),
            ("exp", lambda x: torch.exp(x).sum(), "exp"),
            ("log", lambda x: torch.log(x).sum(), "log"),
            ("sqrt", lambda x: x.sqrt().sum(), "sqrt"),
            ("sin", lambda x: torch.sin(x).sum(), "sin"),
            ("cos", lambda x: torch.cos(x).sum(), "cos"),
            ("tanh", lambda x: torch.tanh(x).sum(), "tanh"),
            ("F.tanh", lambda x: F.tanh(x).sum(), "tanh"),
            ("sigmoid", lambda x: torch.sigmoid(x).sum(), "sigmoid"),
            ("F.sigmoid", lambda x: F.sigmoid(x).sum(), "sigmoid"),
            ("special.expit", lambda x: torch.special.expit(x).sum(), "sigmoid"),
            ("log1p", lambda x: torch.log1p(x).sum(), "log1p"),
            ("expm1", lambda x: torch.expm1(x).sum(), "expm1"),
            ("F.softplus", lambda x: F.softplus(x).sum(), "softplus"),
            ("x ** 3", lambda x: (x ** 3).sum(), "pow"),
            ("x ** 2.0", lambda x: (x ** 2.0).sum(), "pow"),
            ("x.pow(1.5)", lambda x: x.pow(1.5).sum(), "pow"),
            ("torch.square", lambda x: torch.square(x).sum(), "pow"),
            ("clamp", lambda x: torch.clamp(x, 0.7, 1.2).sum(), "clamp"),
            ("clamp(min=)", lambda x: x.clamp(min=0.7).sum(), "clamp"),
            ("clamp_min", lambda x: x.clamp_min(0.7).sum(), "clamp"),
            ("clamp_max", lambda x: torch.clamp_max(x, 1).sum(), "clamp"),
            ("clip", lambda x: torch.clip(x, max=1.2).sum(), "clamp"),
        ]
        cases = {name: (fn, [a], [op, "sum"]) for name, fn, op in unary}
        # Around 0, so that abs and relu see both signs.
        cases |= {
            "abs(x)": (lambda x: abs(x - 1).sum(), [a], ["sub", "abs", "sum"]),
            "torch.relu": (lambda x: torch.relu(x - 1).sum(), [a], ["sub", "relu", "sum"]),
            "F.relu": (lambda x: F.relu(x - 1).sum(), [a], ["sub", "relu", "sum"]),
            "x.relu()": (lambda x: (x - 1).relu().sum(), [a], ["sub", "relu", "sum"]),
        }
        self.run_cases(cases)

    def test_parameters(self) -> None:
        doc = self.check(lambda x: (x ** 3).sum() + (x ** 2.0).sum() + (x ** 0.5).sum() + x.clamp(0.75, 1).sum(), [self.a])
        pows = [n["exponent"] for n in doc["nodes"] if n["op"] == "pow"]
        self.assertEqual(pows, [3, 2, "0x1.0000000000000p-1"])
        clamp = next(n for n in doc["nodes"] if n["op"] == "clamp")
        self.assertEqual((clamp["min"], clamp["max"]), ((0.75).hex(), (1.0).hex()))
        rsub = record(lambda x: (0.1 - x).sum(), [self.a])["nodes"][0]
        self.assertEqual(rsub["scalar"], (0.1).hex())

    def test_reductions(self) -> None:
        a, c = self.a, t64(2, 3, 4, seed=3)
        cases = {
            "sum": (lambda x: x.sum(), [a], ["sum"]),
            "torch.sum(x, 1)": (lambda x: torch.sum(x, 1).sum(), [a], ["sum", "sum"]),
            "sum(dim=-1, keepdim)": (lambda x: (x.sum(dim=-1, keepdim=True) * x).sum(), [a], ["sum", "reshape", "mul", "sum"]),
            "sum((0, 2))": (lambda x: x.sum((0, 2)).sum(), [c], ["sum", "sum", "sum"]),
            "sum((0, 2), keepdim)": (lambda x: (x.sum((0, 2), keepdim=True) * x).sum(), [c], ["sum", "sum", "reshape", "mul", "sum"]),
            "sum((0, 1, 2))": (lambda x: x.sum((0, 1, 2)), [c], ["sum"]),
            "sum(axis=0)": (lambda x: x.sum(axis=0).sum(), [a], ["sum", "sum"]),
            "mean": (lambda x: x.mean(), [a], ["mean"]),
            "mean(0)": (lambda x: x.mean(0).sum(), [a], ["mean", "sum"]),
            "mean keepdim": (lambda x: x.mean(1, True).sum(), [a], ["mean", "reshape", "sum"]),
            "amax": (lambda x: x.amax(), [a], ["max"]),
            "amax(1, keepdim)": (lambda x: (x - x.amax(1, keepdim=True)).exp().sum(), [a], ["max", "reshape", "sub", "exp", "sum"]),
            "amax((0, 1))": (lambda x: torch.amax(x, (0, 1)), [a], ["max"]),
            "max": (lambda x: torch.max(x), [a], ["max"]),
            "max(0)": (lambda x: x.max(0)[0].sum(), [a], ["max", "sum"]),
            "max(dim=1).values": (lambda x: torch.max(x, dim=1).values.sum(), [a], ["max", "sum"]),
            "max(1, keepdim)": (lambda x: (x.max(1, keepdim=True).values * x).sum(), [a], ["max", "reshape", "mul", "sum"]),
            "scalar output [1]": (lambda x: x.sum(0, keepdim=True).sum(1), [t64(1, 3)], ["sum", "reshape", "sum"]),
        }
        self.run_cases(cases)

    def test_matrix_products(self) -> None:
        a, m, v, w = self.a, t64(4, 2, seed=4), self.v, t64(3, seed=5)
        batch, stack = t64(2, 3, 4, seed=6), t64(2, 4, 2, seed=7)
        cases = {
            "x @ y": (lambda x, y: (x @ y).sum(), [a, m], ["matmul", "sum"]),
            "torch.matmul": (lambda x, y: torch.matmul(x, y).sum(), [a, m], ["matmul", "sum"]),
            "torch.mm": (lambda x, y: torch.mm(x, y).sum(), [a, m], ["matmul", "sum"]),
            "matrix @ vector": (lambda x, y: (x @ y).sum(), [a, v], ["reshape", "matmul", "reshape", "sum"]),
            "vector @ matrix": (lambda x, y: (x @ y).sum(), [w, a], ["reshape", "matmul", "reshape", "sum"]),
            "vector @ vector": (lambda x, y: x @ y, [v, v * 2], ["reshape", "reshape", "matmul", "reshape"]),
            "torch.mv": (lambda x, y: torch.mv(x, y).sum(), [a, v], ["reshape", "matmul", "reshape", "sum"]),
            "torch.dot": (lambda x, y: torch.dot(x, y), [v, v + 1], ["reshape", "reshape", "matmul", "reshape"]),
            "batched": (lambda x, y: (x @ y).sum(), [batch, stack], ["matmul", "sum"]),
            "broadcast batch": (lambda x, y: (x @ y).sum(), [batch, m], ["matmul", "sum"]),
            "vector @ batch": (lambda x, y: (x @ y).sum(), [v, stack], ["reshape", "matmul", "reshape", "sum"]),
            "bmm": (lambda x, y: torch.bmm(x, y).sum(), [batch, stack], ["matmul", "sum"]),
        }
        self.run_cases(cases)

    def test_axes_and_shapes(self) -> None:
        a, c, w = self.a, t64(2, 3, 4, seed=3), t64(3, seed=5)
        weights = t64(24, seed=8)

        def weighted(y):  # a loss that tells positions apart
            return (y.reshape(-1) * weights[: y.numel()]).sum()

        cases = {
            "transpose": (lambda x: weighted(x.transpose(0, 1)), [a], ["transpose", "reshape", "mul", "sum"]),
            "t()": (lambda x: weighted(x.t()), [a], ["transpose", "reshape", "mul", "sum"]),
            ".T": (lambda x: weighted(x.T), [a], ["transpose", "reshape", "mul", "sum"]),
            ".mT": (lambda x: weighted(x.mT), [c], ["transpose", "reshape", "mul", "sum"]),
            "swapaxes": (lambda x: weighted(torch.swapaxes(x, 0, 2)), [c], ["transpose", "reshape", "mul", "sum"]),
            "permute swap": (lambda x: weighted(x.permute(2, 1, 0)), [c], ["transpose", "reshape", "mul", "sum"]),
            "permute cycle": (lambda x: weighted(x.permute((1, 2, 0))), [c], ["transpose", "transpose", "reshape", "mul", "sum"]),
            "t() of a vector": (lambda x: weighted(x.t()), [w], ["mul", "sum"]),
            "reshape": (lambda x: weighted(x.reshape(2, 6)), [a], ["reshape", "mul", "sum"]),
            "view": (lambda x: weighted(x.view(6, 2).t()), [a], ["reshape", "transpose", "reshape", "mul", "sum"]),
            "flatten": (lambda x: weighted(torch.flatten(x)), [a], ["reshape", "mul", "sum"]),
            "unsqueeze": (lambda x: (x.unsqueeze(1) * x).sum(), [w], ["reshape", "mul", "sum"]),
            "squeeze": (lambda x: weighted(x.squeeze()), [t64(3, 1, seed=9)], ["reshape", "mul", "sum"]),
            "narrow": (lambda x: weighted(x.narrow(1, 1, 2)), [a], ["narrow", "reshape", "mul", "sum"]),
            "select": (lambda x: weighted(x.select(0, -1)), [a], ["narrow", "reshape", "mul", "sum"]),
            "x[1]": (lambda x: weighted(x[1]), [a], ["narrow", "reshape", "mul", "sum"]),
            "x[:, 1:3]": (lambda x: weighted(x[:, 1:3]), [a], ["narrow", "reshape", "mul", "sum"]),
            "x[-1, :-1]": (lambda x: weighted(x[-1, :-1]), [a], ["narrow", "narrow", "reshape", "mul", "sum"]),
            "x[..., 2]": (lambda x: weighted(x[..., 2]), [c], ["narrow", "reshape", "mul", "sum"]),
            "x[None, 0]": (lambda x: (x[None, 0] * x).sum(), [a], ["narrow", "mul", "sum"]),
            "x[:]": (lambda x: weighted(x[:]), [a], ["reshape", "mul", "sum"]),
            "unbind": (lambda x: sum(weighted(r) * (i + 1) for i, r in enumerate(x.unbind(1))), [a], None),
            "iterating rows": (lambda x: sum(weighted(r) * (i + 1) for i, r in enumerate(x)), [a], None),
            "split": (lambda x: sum(weighted(r) * (i + 1) for i, r in enumerate(x.split([1, 3], 1))), [a], None),
            "chunk": (lambda x: sum(weighted(r) * (i + 1) for i, r in enumerate(torch.chunk(x, 2))), [a], None),
            "cat": (lambda x, y: weighted(torch.cat([x, y], 1)[:, :6]), [a, a * 2], ["cat", "narrow", "reshape", "mul", "sum"]),
            "cat -1, three": (lambda x: weighted(torch.cat((x, x, x), dim=-1)), [w], ["cat", "mul", "sum"]),
            "stack": (lambda x, y: weighted(torch.stack([x, y])), [w, w * 3], ["reshape", "reshape", "cat", "reshape", "mul", "sum"]),
            "stack(dim=1)": (lambda x, y: weighted(torch.stack([x, y], dim=1)), [w, w * 3], ["reshape", "reshape", "cat", "reshape", "mul", "sum"]),
            "clone, contiguous, to": (lambda x: weighted(x.clone().t().contiguous().to(torch.float64)), [a], ["transpose", "reshape", "mul", "sum"]),
        }
        self.run_cases(cases)

    def test_conditions(self) -> None:
        a, b = self.a - 1, self.b - 1
        cases = {
            "where(x > 0, x, y)": (lambda x, y: torch.where(x > 0, x, y).sum(), [a, b], ["gt", "where", "sum"]),
            "where(x < y, ...)": (lambda x, y: torch.where(x < y, x * y, y).sum(), [a, b], ["lt", "mul", "where", "sum"]),
            "ge": (lambda x: torch.where(x >= 0.1, x, -x).sum(), [a], ["ge", "neg", "where", "sum"]),
            "le": (lambda x: torch.where(torch.le(x, 0.1), x, 0.0).sum(), [a], ["le", "where", "sum"]),
            "ne": (lambda x, y: torch.where(x != y, x, y).sum(), [a, b], ["ne", "where", "sum"]),
            "2 < x (reflected)": (lambda x: torch.where(0.2 < x, x, 2 * x).sum(), [a], ["gt", "mul", "where", "sum"]),
            "x.where(cond, y)": (lambda x: x.where(x > 0, x * x).sum(), [a], ["gt", "mul", "where", "sum"]),
            "a scalar": (lambda x: torch.where(x > 0, 0.5, x).sum(), [a], ["gt", "where", "sum"]),
            "two scalars": (lambda x: (torch.where(x > 0, 1.0, -1.0) * x).sum(), [a], ["mul", "sum"]),
        }
        docs = self.run_cases(cases)
        constants = [e for e in docs["a scalar"]["inputs"] if not e["requires_grad"]]
        self.assertEqual([(e["shape"], e["values"]) for e in constants], [([], [(0.5).hex()])])
        # No gradient flows through where(c, 1.0, -1.0) (a float32 tensor): it is a constant.
        sign = next(e for e in docs["two scalars"]["inputs"] if not e["requires_grad"])
        self.assertEqual(exact(sign["values"]), torch.where(a > 0, 1.0, -1.0).reshape(-1).tolist())

    def test_control_flow_and_harmless_calls(self) -> None:
        def fn(x):
            assert x.dim() == 2 and x.shape[1] == 4 and x.size(0) == 3 and len(x) == 3 and x.requires_grad
            y = x.requires_grad_()
            if (x.sum() > 0).item() and bool((x > 0).all()):
                y = y * 2
            for _ in range(2):
                y = torch.sin(y)
            print(end="") if x.grad is None else None
            return y.sum()

        doc = self.check(fn, [self.a], ["mul", "sin", "sin", "sum"])
        self.assertEqual(len(doc["inputs"]), 1)  # unused comparisons and constants are pruned

    def test_unused_computations_are_pruned(self) -> None:
        doc = self.check(lambda x: (torch.exp(x) * 0, x.max(0), x.sin().sum())[-1], [self.a], ["sin", "sum"])
        self.assertEqual(len(doc["inputs"]), 1)

    def test_float32(self) -> None:
        x = t64(5).float()
        doc = self.check(lambda x: (torch.tanh(x * 0.1) + 2 / x).sum(), {"x": x}, ["mul", "tanh", "rdiv", "add", "sum"])
        self.assertEqual(doc["dtype"], "float32")
        # In float32, PyTorch rounds the scalar to float32: the document says so.
        self.assertEqual(doc["nodes"][0]["scalar"], torch.tensor(0.1, dtype=torch.float32).item().hex())

    def test_list_inputs_and_names(self) -> None:
        doc = self.check(lambda p, q: (p * q).sum(), [self.a, self.b])
        self.assertEqual([e["name"] for e in doc["inputs"]], ["x0", "x1"])
        doc = record(lambda add0: (add0 + 1).sum(), {"add0": self.v})
        names = [e["name"] for e in doc["inputs"]] + [n["name"] for n in doc["nodes"]]
        self.assertEqual(len(names), len(set(names)))

    def test_unused_input_gets_zero_gradient(self) -> None:
        doc = self.check(lambda x, y: x.sum(), {"x": self.a, "y": self.v}, ["sum"])
        self.assertEqual(doc["inputs"][1]["gradient"], ["0x0.0p+0"] * 4)

    def run_cases(self, cases: dict) -> dict[str, dict]:
        docs = {}
        for name, (fn, inputs, ops) in cases.items():
            with self.subTest(name):
                docs[name] = self.check(fn, inputs, ops)
        return docs


@needs_torch
class ConstantTests(ValidatingTestCase):
    """Tensors that are not inputs become inputs with requires_grad false."""

    def test_captured_and_created_constants(self) -> None:
        captured = t64(4, seed=11)

        def fn(x):
            created = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
            return (x * captured + created).sum()

        doc = self.check(fn, [t64(3, 4)], ["mul", "add", "sum"])
        constants = [e for e in doc["inputs"] if not e["requires_grad"]]
        self.assertEqual([e["name"] for e in constants], ["const0", "const1"])
        self.assertEqual(exact(constants[0]["values"]), captured.tolist())
        self.assertEqual(exact(constants[1]["values"]), [1.0, 2.0, 3.0, 4.0])
        self.assertTrue(all("gradient" not in e for e in constants))

    def test_named_constants(self) -> None:
        real = t64(3, 8, seed=12)
        doc = self.check(lambda predicted, real: ((predicted - real) ** 2).sum(), {"predicted": t64(3, 8)},
                         ["sub", "pow", "sum"], constants={"real": real})
        entry = doc["inputs"][1]
        self.assertEqual((entry["name"], entry["requires_grad"]), ("real", False))
        self.assertNotIn("gradient", entry)

    def test_ops_on_constants_only_are_folded(self) -> None:
        c = t64(4, seed=13)
        doc = self.check(lambda x: (x * c.exp().cumsum(0)).sum(), [self.v()], ["mul", "sum"])
        self.assertEqual(exact(doc["inputs"][1]["values"]), c.exp().cumsum(0).tolist())

    def test_detach_and_no_grad_make_constants(self) -> None:
        def fn(x):
            with torch.no_grad():
                scale = x.sum() * 2
            return (x * x.detach() * scale).sum()

        doc = self.check(fn, [self.v()], ["mul", "mul", "sum"])
        self.assertEqual([e["requires_grad"] for e in doc["inputs"]], [True, False, False])

    def test_constant_mask(self) -> None:
        mask = torch.tensor([True, False, True, False])
        doc = self.check(lambda x: torch.where(mask, x, -x).sum(), [self.v()], ["neg", "ne", "where", "sum"])
        self.assertEqual(exact(doc["inputs"][1]["values"]), [1.0, 0.0, 1.0, 0.0])

    def test_float32_constant_in_float64_graph(self) -> None:
        doc = self.check(lambda x: (x * torch.tensor(0.1)).sum(), [self.v()], ["mul", "sum"])
        self.assertEqual(doc["inputs"][1]["values"], [torch.tensor(0.1).item().hex()])

    @staticmethod
    def v() -> "torch.Tensor":
        return t64(4, seed=2)


@needs_torch
class RefusalTests(unittest.TestCase):
    """What the format cannot express is refused, naming the PyTorch op."""

    def refuses(self, fn, op: str, inputs=None) -> UnsupportedOperation:
        with self.assertRaises(UnsupportedOperation) as caught:
            record(fn, inputs if inputs is not None else [t64(3, 4)])
        self.assertIn(op, str(caught.exception))
        self.assertIn("The exporter records:", str(caught.exception))
        return caught.exception

    def test_unsupported_ops(self) -> None:
        cases = [
            (lambda x: x.cumsum(0).sum(), "torch.Tensor.cumsum"),
            (lambda x: torch.logsumexp(x, 0).sum(), "torch.logsumexp"),
            (lambda x: F.softplus(x, beta=2).sum(), "torch.nn.functional.softplus"),
            (lambda x: torch.add(x, x, alpha=2).sum(), "torch.add"),
            (lambda x: torch.div(x, 2, rounding_mode="floor").sum(), "torch.div"),
            (lambda x: (x // 2).sum(), "torch.Tensor.__floordiv__"),
            (lambda x: (x ** x).sum(), "torch.Tensor.__pow__"),
            (lambda x: (2 ** x).sum(), "torch.Tensor.__rpow__"),
            (lambda x: torch.clamp(x, min=x[0]).sum(), "torch.clamp"),
            (lambda x: torch.max(x, x * 2).sum(), "torch.max"),
            (lambda x: torch.maximum(x, x * 2).sum(), "torch.maximum"),
            (lambda x: torch.min(x), "torch.min"),
            (lambda x: x[[0, 2]].sum(), "torch.Tensor.__getitem__"),
            (lambda x: x[::2].sum(), "torch.Tensor.__getitem__"),
            (lambda x: x[x > 1].sum(), "torch.Tensor.__getitem__"),
            (lambda x: ((x > 1) * x).sum(), "torch.Tensor.mul"),
            (lambda x: x.sum(dtype=torch.float32), "torch.Tensor.sum"),
            (lambda x: x.to(torch.float32).sum(), "torch.Tensor.to"),
            (lambda x: x.expand(2, 3, 4).sum(), "torch.Tensor.expand"),
            (lambda x: (x * torch.arange(4)).sum(), "torch.Tensor.mul"),
            (lambda x: x.prod(), "torch.Tensor.prod"),
        ]
        for fn, op in cases:
            with self.subTest(op):
                self.assertEqual(self.refuses(fn, op).op, op)

    def test_in_place_ops(self) -> None:
        def add_(x):
            y = x * 1
            y.add_(1)
            return y.sum()

        def iadd(x):
            y = x * 1
            y += 1
            return y.sum()

        def setitem(x):
            y = torch.zeros(3, 4, dtype=torch.float64)
            y[0] = x[0]
            return y.sum()

        def relu_inplace(x):
            return F.relu(x * 1, inplace=True).sum()

        def through_detach(x):
            y = x * 2
            y.detach().add_(1)
            return y.sum()

        for fn, op in [(add_, "torch.Tensor.add_"), (iadd, "torch.Tensor.add_"),
                       (setitem, "torch.Tensor.__setitem__"), (relu_inplace, "torch.nn.functional.relu"),
                       (through_detach, "an in-place op on mul0")]:
            with self.subTest(op):
                self.refuses(fn, op)

    def test_dtypes(self) -> None:
        self.refuses(lambda x, y: (x * y).sum(), "inputs", [t64(2), t64(2).float()])
        self.refuses(lambda x: x.sum(), "the input 'x0'", [t64(2).half()])
        self.refuses(lambda x: x.sum(), "the input 'x0'", [torch.ones(2, dtype=torch.complex128)])
        self.refuses(lambda x: x.sum(), "the input 'x0'", [torch.ones(2, dtype=torch.int64)])
        self.refuses(lambda x: (x * torch.ones(4, dtype=torch.float64)).sum(), "torch.Tensor.mul", [t64(4).float()])

    def test_captured_tensor_that_requires_grad(self) -> None:
        weight = t64(4).requires_grad_()
        error = self.refuses(lambda x: (x * weight).sum(), "torch.Tensor.mul", [t64(4)])
        self.assertIn("inputs", str(error))

    def test_output_must_be_one_element(self) -> None:
        with self.assertRaisesRegex(ValueError, r"exactly one element.*shape \[3, 4\]"):
            record(lambda x: x * 2, [t64(3, 4)])
        with self.assertRaisesRegex(ValueError, "exactly one element"):
            record(lambda x: float(x.sum()), [t64(3, 4)])
        with self.assertRaisesRegex(ValueError, "does not depend"):
            record(lambda x: torch.tensor(1.0, dtype=torch.float64), [t64(3, 4)])
        with self.assertRaisesRegex(ValueError, "at least one input"):
            record(lambda: torch.tensor(1.0), {})

    def test_unsupported_operation_is_a_value_error(self) -> None:
        self.assertTrue(issubclass(UnsupportedOperation, ValueError))


def hexes(tensor: "torch.Tensor") -> list[str]:
    return [float(v).hex() for v in tensor.reshape(-1).double().tolist()]


@needs_torch
class NodeGradientTests(ValidatingTestCase):
    """Each node's gradient is PyTorch's: bit for bit the retained gradient of the
    tensor it stands for, or that gradient reshaped or transposed for a node the
    exporter wrote itself; none where PyTorch computed none."""

    def same_as_pytorch(self, fn, inputs: dict, derived: dict | None = None, constants=None) -> dict:
        """Record ``fn(keep, **inputs)``, then run it again, where ``keep(name, t)``
        retains the tensor ``t`` that stands for the node ``name``. The nodes with a
        gradient are exactly those kept (but names starting with ``_``, kept only
        for ``derived``) and those in ``derived``, which maps a node name to its
        gradient, a function of the kept (and input) gradients."""
        doc = self.check(lambda **kw: fn(lambda name, t: t, **kw), inputs, constants=constants)
        kept = {}

        def keep(name, tensor):
            tensor.retain_grad()
            kept[name] = tensor
            return tensor

        leaves = {k: v.detach().clone().requires_grad_() for k, v in inputs.items()}
        fn(keep, **leaves, **(constants or {})).backward()
        grads = {k: t.grad for k, t in kept.items()} | {k: t.grad for k, t in leaves.items()}
        expected = {k: grads[k] for k in kept if k[0] != "_"} | {k: rule(grads) for k, rule in (derived or {}).items()}
        self.assertEqual({n["name"] for n in doc["nodes"] if "gradient" in n}, set(expected))
        for node in doc["nodes"]:
            if node["name"] in expected:
                self.assertEqual(node["gradient"], hexes(expected[node["name"]]), node["name"])
        return doc

    def test_tanh_layer(self) -> None:
        def fn(keep, x, w, b):
            h = keep("matmul0", x @ w)
            z = keep("add0", h + b)
            return keep("sum0", keep("tanh0", torch.tanh(z)).sum())

        inputs = {"x": t64(4, 3, low=-10, high=10), "w": t64(3, 5, low=-1, high=1, seed=1), "b": t64(5, seed=2)}
        doc = self.same_as_pytorch(fn, inputs)
        self.assertEqual(doc["nodes"][-1]["gradient"], [(1.0).hex()])

    def test_lesson(self) -> None:
        def fn(keep, predicted, real):
            return keep("sum0", keep("pow0", keep("sub0", predicted - real) ** 2).sum())

        self.same_as_pytorch(fn, {"predicted": t64(3, 8)}, constants={"real": t64(3, 8, seed=1)})

    def test_float32(self) -> None:
        def fn(keep, x):
            return keep("sum0", keep("tanh0", torch.tanh(x)).sum())

        self.same_as_pytorch(fn, {"x": t64(5, low=-3, high=3).float()})

    def test_keepdim_reductions(self) -> None:
        def amax(keep, x):  # max0 [3] is written before the reshape to PyTorch's [3, 1]
            m = keep("reshape0", x.amax(1, keepdim=True))
            return keep("sum0", keep("exp0", keep("sub0", x - m).exp()).sum())

        self.same_as_pytorch(amax, {"x": t64(3, 4)}, {"max0": lambda g: g["reshape0"].reshape(3)})

        def two_dims(keep, x):  # sum0 (over dim 2 only) has no PyTorch tensor: no gradient
            s = keep("reshape0", x.sum((0, 2), keepdim=True))
            return keep("sum2", keep("mul0", s * x).sum())

        doc = self.same_as_pytorch(two_dims, {"x": t64(2, 3, 4)}, {"sum1": lambda g: g["reshape0"].reshape(3)})
        self.assertEqual([n["op"] for n in doc["nodes"]], ["sum", "sum", "reshape", "mul", "sum"])

        def squeezed(keep, x):  # k.squeeze(1) is written as sum0 itself: sum0 stands for k, reshape0 for part of it
            k = keep("_k", x.sum(1, keepdim=True))
            return keep("add0", keep("sum1", keep("mul0", k.squeeze(1) * 2).sum()) + keep("sum2", keep("mul1", k * x).sum()))

        doc = self.same_as_pytorch(squeezed, {"x": t64(3, 4)}, {"sum0": lambda g: g["_k"].reshape(3)})
        self.assertEqual([(n["name"], n["args"]) for n in doc["nodes"][1:3]], [("reshape0", ["sum0"]), ("mul0", ["sum0"])])

    def test_matmul_of_a_vector(self) -> None:
        def fn(keep, a, v):  # v is reshaped to [4, 1], the product [3, 1] back to [3]
            return keep("sum0", keep("tanh0", torch.tanh(keep("reshape1", a @ v))).sum())

        derived = {"reshape0": lambda g: g["v"].reshape(4, 1), "matmul0": lambda g: g["reshape1"].reshape(3, 1)}
        doc = self.same_as_pytorch(fn, {"a": t64(3, 4), "v": t64(4, seed=1)}, derived)
        self.assertEqual([n["op"] for n in doc["nodes"]], ["reshape", "matmul", "reshape", "tanh", "sum"])

        def read_twice(keep, a, v):  # reshape0 is not v's only reader: v's gradient is not reshape0's
            return keep("add0", keep("sum0", keep("reshape1", a @ v).sum()) + keep("sum1", v.sum()))

        self.same_as_pytorch(read_twice, {"a": t64(3, 4), "v": t64(4, seed=1)},
                             {"matmul0": lambda g: g["reshape1"].reshape(3, 1)})

    def test_permute_and_stack(self) -> None:
        w = t64(4, 2, 3, seed=5)

        def permute(keep, x):  # two transposes; the first has no PyTorch tensor
            return keep("sum0", keep("mul0", keep("transpose1", x.permute(2, 0, 1)) * w).sum())

        doc = self.same_as_pytorch(permute, {"x": t64(2, 3, 4)}, {"transpose0": lambda g: g["transpose1"].transpose(1, 2)})
        self.assertEqual([n["dims"] for n in doc["nodes"][:2]], [[0, 2], [1, 2]])

        u = t64(2, 4, seed=6)

        def stack(keep, x, y):  # x and y are reshaped to [1, 4], then joined
            return keep("sum0", keep("mul0", keep("cat0", torch.stack([x, y])) * u).sum())

        self.same_as_pytorch(stack, {"x": t64(4), "y": t64(4, seed=1)},
                             {"reshape0": lambda g: g["x"].reshape(1, 4), "reshape1": lambda g: g["y"].reshape(1, 4)})

    def test_select(self) -> None:
        def fn(keep, x):  # x[-1, :-1]: narrow0 (rows) has no PyTorch tensor, narrow1 is x[-1, :-1] as [1, 3]
            return keep("sum0", keep("exp0", keep("reshape0", x[-1, :-1]).exp()).sum())

        self.same_as_pytorch(fn, {"x": t64(3, 4)}, {"narrow1": lambda g: g["reshape0"].reshape(1, 3)})

    def test_comparisons_have_none(self) -> None:
        def fn(keep, x, y):
            return keep("sum0", keep("where0", torch.where(x > 1, x, y)).sum())

        doc = self.same_as_pytorch(fn, {"x": t64(3, 4), "y": t64(3, 4, seed=1)})
        self.assertEqual([n["op"] for n in doc["nodes"]], ["gt", "where", "sum"])
        mask = torch.tensor([True, False, True, False])
        doc = self.check(lambda x: torch.where(mask, x, -x).sum(), [t64(4)], ["neg", "ne", "where", "sum"])
        self.assertEqual(["gradient" in n for n in doc["nodes"]], [True, False, True, True])

    def test_a_reshape_that_a_later_reshape_skips_has_none(self) -> None:
        # y.reshape(12) is written reading x, not reshape0: y's gradient counts it, reshape0's does not.
        w, x = t64(12, seed=3), t64(3, 4)

        def fn(keep, x):
            y = x.reshape(2, 6)
            return keep("add0", keep("sum0", keep("mul0", keep("reshape1", y.reshape(12)) * w).sum())
                        + keep("sum1", keep("mul1", y * y).sum()))

        doc = self.same_as_pytorch(fn, {"x": x})
        self.assertEqual([n["args"] for n in doc["nodes"][:2]], [["x"], ["x"]])
        y = x.clone().requires_grad_().reshape(2, 6)
        y.retain_grad()
        fn(lambda name, t: t, x=y).backward()  # reshape of a reshape, in PyTorch
        _, replayed = self.replay(doc)
        self.assertFalse(torch.allclose(y.grad, replayed["reshape0"]))

    def test_no_node_gradients(self) -> None:
        fn, inputs = (lambda x, v: torch.tanh(x.sum(1, keepdim=True) * (x @ v)).sum()), [t64(3, 4), t64(4)]
        doc = record(fn, inputs, node_gradients=False)
        self.validate(doc)
        self.assertTrue(all("gradient" not in n for n in doc["nodes"]))
        full = record(fn, inputs)
        self.assertTrue(all("gradient" in n for n in full["nodes"]))
        self.assertEqual([{k: v for k, v in n.items() if k != "gradient"} for n in full["nodes"]], doc["nodes"])
        self.assertEqual(full["inputs"], doc["inputs"])
        with tempfile.TemporaryDirectory() as directory:
            written = export(fn, inputs, os.path.join(directory, "f.json"), node_gradients=False)
        self.assertEqual(written, doc)


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "Tests", "Fixtures", "pytorch")


@needs_torch
@unittest.skipUnless(os.path.isdir(FIXTURES), "Tests/Fixtures/pytorch is not beside this checkout")
class FixtureTests(ValidatingTestCase):
    """The committed fixtures are well formed and are what make_fixtures.py records."""

    def test_fixtures(self) -> None:
        import make_fixtures

        for file_name, fn, inputs, constants in make_fixtures.fixtures():
            with self.subTest(file_name):
                with open(os.path.join(FIXTURES, file_name), encoding="utf-8") as file:
                    committed = json.load(file)
                self.validate(committed)
                output, grads = self.replay(committed)
                for entry in committed["inputs"]:
                    if entry["requires_grad"]:
                        expected = torch.tensor(exact(entry["gradient"]), dtype=grads[entry["name"]].dtype)
                        self.assertTrue(torch.allclose(grads[entry["name"]].reshape(-1), expected, rtol=1e-12, atol=0))
                self.check_node_gradients(committed, grads, 1e-12 if committed["dtype"] == "float64" else 1e-5)
                # Gradients may differ in the last bits on another CPU or PyTorch; values and nodes may not,
                # nor which nodes have a gradient.
                fresh = record(fn, inputs, constants=constants)
                self.assertEqual([{**n, "gradient": "gradient" in n} for n in fresh["nodes"]],
                                 [{**n, "gradient": "gradient" in n} for n in committed["nodes"]])
                self.assertEqual([{k: v for k, v in e.items() if k != "gradient"} for e in fresh["inputs"]],
                                 [{k: v for k, v in e.items() if k != "gradient"} for e in committed["inputs"]])


@needs_torch
class ExportTests(unittest.TestCase):
    def test_export_writes_the_document(self) -> None:
        x = t64(3)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "tanh.json")
            doc = export(lambda x: torch.tanh(x).sum(), {"x": x}, path, producer="torch test")
            with open(path, encoding="utf-8") as file:
                text = file.read()
        self.assertEqual(json.loads(text), doc)
        self.assertEqual(list(doc), ["format", "version", "dtype", "producer", "inputs", "nodes", "output"])
        self.assertEqual(doc["producer"], "torch test")
        self.assertTrue(text.endswith("}\n"))
        self.assertEqual(record(lambda x: torch.tanh(x).sum(), {"x": x})["producer"],
                         "torch " + torch.__version__.split("+")[0])


if __name__ == "__main__":
    unittest.main()
