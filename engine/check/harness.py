"""Backprop Lens's harness for Check My Backprop.

Runs a student's homework layers on the exact numbers that Backprop Lens chose and
reports what they return. It compares nothing itself: the extension compares every
value with its own float64 reference.

The extension sends two JSON lines on standard input: the student's file, then
(once the harness has said which names the file defines) the pieces to run, with
their inputs. The answers go out as JSON lines on the process's original standard
output. Before the student's module is imported, file descriptor 1 is pointed at
standard error and 0 at the null device, so nothing the student's code prints (from
Python or from C) can reach the answers, and nothing it reads can take the plan.
"""
import inspect
import json
import math
import os
import sys
import traceback

RESULTS = os.fdopen(os.dup(1), "w")
PLAN = os.fdopen(os.dup(0), "r")
os.dup2(2, 1)
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)

# The student's folder, filled in once the plan is read: tracebacks point into it.
STUDENT_FOLDER = [""]


def send(event, **fields):
    fields["event"] = event
    RESULTS.write(json.dumps(fields, allow_nan=False) + "\n")
    RESULTS.flush()


def calling(f):
    """Says which of the student's functions runs now, so that a time-out can name it."""
    name = getattr(f, "__qualname__", "")
    if name and "<" not in name:
        send("calling", name=name)


def finite(x):
    return x if math.isfinite(x) else repr(x)


def where(exc):
    """The deepest frame of the student's own code in the traceback, else the deepest."""
    frames = traceback.extract_tb(exc.__traceback__)
    theirs = [f for f in frames if f.filename.startswith(STUDENT_FOLDER[0]) and not f.filename.endswith("harness.py")]
    frame = (theirs or frames or [None])[-1]
    if isinstance(exc, SyntaxError) and exc.filename:
        return {"file": exc.filename, "line": exc.lineno}
    return {"file": frame.filename, "line": frame.lineno} if frame else {}


def raised(exc):
    out = {"error": "raised", "type": type(exc).__name__, "message": str(exc)[:500]}
    out.update(where(exc))
    return out


def main():
    send("hello", python=sys.version.split()[0], executable=sys.executable)
    try:
        import numpy as np
    except Exception as exc:  # ImportError, or a broken NumPy install
        send("fatal", kind="numpy", message="%s: %s" % (type(exc).__name__, exc))
        return
    plan = json.loads(PLAN.readline())
    limit_memory(plan.get("memoryBytes"))
    STUDENT_FOLDER[0] = os.path.dirname(os.path.abspath(plan["file"])) + os.sep
    send("numpy", version=np.__version__)
    module = load(plan["file"])
    if module is None:
        return
    send("module", names=describe(module))
    pieces = Pieces(np, module)
    for piece in json.loads(PLAN.readline() or "[]"):
        run = getattr(pieces, piece["kind"].replace(".", "_"), None)
        if run is None or not all(hasattr(module, n.split(".")[0]) for n in piece["needs"]):
            continue
        send("start", id=piece["id"])
        send("result", id=piece["id"], values=run(piece))
    send("done")


def limit_memory(limit):
    """A huge allocation in the student's code raises MemoryError instead of taking the machine's memory."""
    try:
        import resource
    except ImportError:  # Windows: the time limit still ends it
        return
    if limit:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def load(path):
    import importlib.util

    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    name = os.path.splitext(os.path.basename(path))[0]
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    except BaseException as exc:  # SyntaxError, ImportError, SystemExit at import...
        send("fatal", kind="import", **raised(exc))
        return None


def describe(module):
    """Every class and function the module offers, with the file and line of each def."""
    names = {}
    for name, value in vars(module).items():
        if name.startswith("__") or not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        entry = {"line": line_of(value), "file": file_of(value)}
        if inspect.isclass(value):
            entry["methods"] = {m: {"line": line_of(f), "file": file_of(f)} for m, f in vars_of_class(value).items()}
        names[name] = entry
    return names


def vars_of_class(cls):
    """Methods the class defines or inherits, by name."""
    out = {}
    for klass in reversed(cls.__mro__[:-1]):
        for m, f in vars(klass).items():
            if inspect.isfunction(f):
                out[m] = f
    return out


def line_of(obj):
    try:
        return inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return None


def file_of(obj):
    try:
        return inspect.getsourcefile(obj)
    except TypeError:
        return None


class Pieces:
    """One method per kind of piece: calls the student's code, returns what came back, encoded."""

    def __init__(self, np, module):
        self.np = np
        self.m = module

    # ---- values in and out ----

    def array(self, t, dtype=float):
        return self.np.array(t["data"], dtype=dtype).reshape(t["shape"])

    def encode(self, value):
        np = self.np
        if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, bytes, dict, list, tuple)):
            return {"error": "type", "type": type(value).__name__, "repr": repr(value)[:120]}
        if isinstance(value, (int, float, np.number)):
            value = np.asarray(value)
        if not isinstance(value, np.ndarray):
            return {"error": "type", "type": type(value).__name__, "repr": repr(value)[:120]}
        if value.dtype.kind not in "fiu":
            return {"error": "type", "type": "ndarray of %s" % value.dtype, "repr": repr(value)[:120]}
        if value.size > 1000000:
            return {"error": "type", "type": "ndarray of shape %s" % (value.shape,), "repr": "too large"}
        return {"shape": list(value.shape), "data": [finite(float(x)) for x in value.ravel()]}

    def encoded(self, value):
        """An error as it is, anything else encoded."""
        return value if isinstance(value, dict) and "error" in value else self.encode(value)

    def call(self, f, *args):
        """f(*args) encoded, or what it raised; NumPy's random state is seeded first so that dropout repeats."""
        calling(f)
        self.np.random.seed(12345)
        try:
            return self.encode(f(*args))
        except BaseException as exc:
            return raised(exc)

    def returns(self, f, *args):
        """f(*args) as it came back (not encoded), or None and the encoded error."""
        calling(f)
        self.np.random.seed(12345)
        try:
            return f(*args), None
        except BaseException as exc:
            return None, raised(exc)

    def numeric(self, f, arrays, h=1e-6):
        """Central differences of the scalar f(*arrays) with respect to each array, in float64."""
        np = self.np
        grads = []
        for a in arrays:
            g = np.zeros_like(a)
            flat, gflat = a.reshape(-1), g.reshape(-1)
            for i in range(flat.size):
                saved = flat[i]
                flat[i] = saved + h
                up = f(*arrays)
                flat[i] = saved - h
                down = f(*arrays)
                flat[i] = saved
                gflat[i] = (up - down) / (2 * h)
            grads.append(g)
        return grads

    def own_gradient(self, scalar, arrays):
        """The numerical gradient of the student's own forward, or the error it raised."""
        send("calling", name="your forward, for its numerical gradient")
        try:
            return [self.encode(g) for g in self.numeric(lambda *a: float(self.np.sum(scalar(*[x.copy() for x in a]))), arrays)]
        except BaseException as exc:
            return [raised(exc)] * len(arrays)

    # ---- CSCI567: classes with forward(X) and backward(X, grad) ----

    def csci567_linear(self, p):
        X, W, b, G = (self.array(p[k]) for k in ("X", "W", "b", "G"))
        cls = getattr(self.m, p["class"])

        def layer():
            obj = cls(W.shape[0], W.shape[1])
            obj.params["W"] = W.copy()
            obj.params["b"] = b.copy()
            return obj

        built, error = self.returns(layer)
        if error:
            return {k: error for k in ("output", "dX", "dW", "db")}
        out = {"output": self.call(built.forward, X.copy())}
        out["dX"] = self.call(built.backward, X.copy(), G.copy())
        grads = getattr(built, "gradient", None)
        for key, name in (("W", "dW"), ("b", "db")):
            out[name] = self.encode(grads.get(key)) if isinstance(grads, dict) else {"error": "type", "type": "no self.gradient dict", "repr": ""}

        def scalar(x, w, bb):
            obj = cls(w.shape[0], w.shape[1])
            obj.params["W"], obj.params["b"] = w, bb
            return obj.forward(x) * G

        out["ownDX"], out["ownDW"], out["ownDb"] = self.own_gradient(scalar, [X.copy(), W.copy(), b.copy()])
        return out

    def csci567_activation(self, p):
        X, G = self.array(p["X"]), self.array(p["G"])
        cls = getattr(self.m, p["class"])
        built, error = self.returns(cls)
        if error:
            return {"output": error, "dX": error}
        out = {"output": self.call(built.forward, X.copy()), "dX": self.call(built.backward, X.copy(), G.copy())}
        out["ownDX"], = self.own_gradient(lambda x: cls().forward(x) * G, [X.copy()])
        return out

    def csci567_dropout(self, p):
        X, G, r = self.array(p["X"]), self.array(p["G"]), p["rate"]
        cls = getattr(self.m, p["class"])
        built, error = self.returns(cls, r)
        if error:
            return {"output": error, "dX": error, "evaluation": error}
        out = {"output": self.call(built.forward, X.copy(), True)}
        mask = getattr(built, "mask", None)
        out["mask"] = self.encode(mask) if mask is not None else None
        out["dX"] = self.call(built.backward, X.copy(), G.copy())
        fresh, error = self.returns(cls, r)
        out["evaluation"] = error or self.call(fresh.forward, X.copy(), False)

        def scalar(x):
            self.np.random.seed(12345)
            return cls(r).forward(x, True) * G

        out["ownDX"], = self.own_gradient(scalar, [X.copy()])
        return out

    def csci567_loss(self, p):
        X, Y = self.array(p["X"]), self.array(p["Y"], int)
        cls = getattr(self.m, p["class"])
        built, error = self.returns(cls)
        if error:
            return {"loss": error, "dX": error}
        out = {"loss": self.call(built.forward, X.copy(), Y.copy()), "dX": self.call(built.backward, X.copy(), Y.copy())}
        out["ownDX"], = self.own_gradient(lambda x: cls().forward(x, Y.copy()), [X.copy()])
        return out

    def csci567_sgd(self, p):
        """One update of a model {L1: linear_layer, nonlinear1: relu} with given gradients and velocities."""
        W, b, dW, db = (self.array(p[k]) for k in ("W", "b", "dW", "db"))
        vW, vb = self.array(p["vW"]), self.array(p["vb"])
        sgd = getattr(self.m, p["function"])

        def model():
            L1 = getattr(self.m, p["linear"])(W.shape[0], W.shape[1])
            L1.params["W"], L1.params["b"] = W.copy(), b.copy()
            L1.gradient["W"], L1.gradient["b"] = dW.copy(), db.copy()
            return {"L1": L1}

        built, error = self.returns(model)
        if error:
            return {"W": error, "b": error, "variant": None}
        if p.get("relu") and hasattr(self.m, p["relu"]):
            built["nonlinear1"] = getattr(self.m, p["relu"])()
        momentum = {"L1_W": vW.copy(), "L1_b": vb.copy()}
        names = list(inspect.signature(sgd).parameters)
        variants = {5: ("lambda", [built, momentum, p["lambda"], p["alpha"], p["learningRate"]]),
                    4: ("momentum", [built, momentum, p["alpha"], p["learningRate"]]),
                    2: ("plain", [built, p["learningRate"]])}
        if len(names) not in variants:
            problem = {"error": "signature", "type": "%s(%s)" % (p["function"], ", ".join(names)), "repr": ""}
            return {"W": problem, "b": problem, "variant": None}
        variant, args = variants[len(names)]
        _, error = self.returns(sgd, *args)
        if error:
            return {"W": error, "b": error, "variant": variant}
        L1 = built["L1"]
        return {"W": self.encode(L1.params["W"]), "b": self.encode(L1.params["b"]), "variant": variant}

    # ---- CS231n: functions f_forward(x, ...) -> (out, cache) and f_backward(dout, cache) ----

    def returns_pair(self, f, args, what):
        """f(*args) when it returns a pair, as CS231n's functions do; else None and an error saying what came back."""
        value, error = self.returns(f, *args)
        if error:
            return None, error
        if isinstance(value, tuple) and len(value) == 2:
            return value, None
        return None, {"error": "type", "type": type(value).__name__,
                      "repr": "%s should return %s; it returned %s" % (getattr(f, "__name__", "it"), what, repr(value)[:80])}

    def forward_backward(self, p, args, G):
        """The encoded out of forward(*args), then backward(G, cache) as it came back (or an error), and the cache."""
        forward, backward = getattr(self.m, p["forward"]), getattr(self.m, p["backward"])
        value, error = self.returns_pair(forward, [a.copy() for a in args], "(out, cache)")
        if error:
            return error, error, None
        grads, error = self.returns(backward, G.copy(), value[1])
        return self.encode(value[0]), error or grads, value[1]

    def cs231n_affine(self, p):
        x, w, b, G = (self.array(p[k]) for k in ("X", "W", "b", "G"))
        output, grads, _ = self.forward_backward(p, [x, w, b], G)
        out = {"output": output}
        if isinstance(grads, tuple) and len(grads) == 3:
            out["dX"], out["dW"], out["db"] = (self.encode(g) for g in grads)
        else:
            problem = grads if isinstance(grads, dict) and "error" in grads else \
                {"error": "type", "type": type(grads).__name__, "repr": "%s should return (dx, dw, db)" % p["backward"]}
            out["dX"] = out["dW"] = out["db"] = problem
        forward = getattr(self.m, p["forward"])
        out["ownDX"], out["ownDW"], out["ownDb"] = self.own_gradient(lambda a, c, d: forward(a, c, d)[0] * G, [x.copy(), w.copy(), b.copy()])
        return out

    def cs231n_activation(self, p):
        x, G = self.array(p["X"]), self.array(p["G"])
        output, dX, _ = self.forward_backward(p, [x], G)
        out = {"output": output, "dX": self.encoded(dX)}
        forward = getattr(self.m, p["forward"])
        out["ownDX"], = self.own_gradient(lambda a: forward(a)[0] * G, [x.copy()])
        return out

    def cs231n_dropout(self, p):
        x, G = self.array(p["X"]), self.array(p["G"])
        forward = getattr(self.m, p["forward"])
        param = {"mode": "train", "p": p["p"], "seed": 123}
        output, dX, cache = self.forward_backward(p, [x, param], G)
        out = {"output": output, "dX": self.encoded(dX), "mask": None}
        if isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[1], self.np.ndarray):
            out["mask"] = self.encode(cache[1])
        evaluation, error = self.returns_pair(forward, [x.copy(), {"mode": "test", "p": p["p"]}], "(out, cache)")
        out["evaluation"] = error or self.encode(evaluation[0])
        out["ownDX"], = self.own_gradient(lambda a: forward(a, dict(param))[0] * G, [x.copy()])
        return out

    def cs231n_loss(self, p):
        x, y = self.array(p["X"]), self.array(p["Y"], int)
        loss = getattr(self.m, p["function"])
        value, error = self.returns_pair(loss, [x.copy(), y.copy()], "(loss, dx)")
        out = {"loss": error or self.encode(value[0]), "dX": error or self.encode(value[1])}
        out["ownDX"], = self.own_gradient(lambda a: loss(a, y.copy())[0], [x.copy()])
        return out


if __name__ == "__main__":
    main()
