"""Small functions for the Python and NumPy data constructs of SPEC §7: writes into
arrays, containers, dicts, comprehensions, lambdas. tests/test_data.py checks each
in both modes against finite differences."""
import numpy as np


# ---- writes into arrays ---------------------------------------------------------------------

def fill_in_loop(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] ** 2
    return np.sum(y * np.cos(y))


def write_slices(x):
    y = np.ones(4)
    y[1] = x[0] * x[1]
    y[2:] = np.sin(x[1:3])
    y[::3] *= x[2]
    return np.sum(y * y)


def write_columns(x, w):
    m = np.zeros((3, 2))
    m[:, 0] = x
    m[:, 1] = x ** 2
    m[1, :] += w
    return np.sum(np.tanh(m @ w))


def augmented_slice(x):
    y = x * 1.0
    y[1:3] += x[:2] * 2.0
    y[-1] -= y[0]
    return np.sum(y ** 2)


def recurrence(x, a):
    y = np.zeros(len(x))
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = y[i - 1] * a + x[i]
    return np.sum(y ** 2)


def read_before_overwrite(x):
    y = x * 2.0
    s = np.sum(y * y)
    y[0] = 0.0
    y[1] = y[2] * s
    return s + np.sum(y * x)


def masked_write(x):
    y = x * 1.5
    y[x < 0] = 0.0
    return np.sum(y * y)


def repeated_index_write(x):
    """``y[[1, 1]] = v``: NumPy keeps the last value written at 1; the first gets no cotangent."""
    y = np.zeros(3)
    y[[1, 1]] = x[:2] * x[2]
    return np.sum(y * np.array([1.0, 2.0, 3.0])) + np.sum(y * y)


def repeated_index_add(x):
    """``x[[0, 0]] += v`` reads, adds and writes once: element 0 gets one ``v``, not two."""
    y = x * 1.0
    y[[0, 0]] += x[1] * x[2]
    return np.sum(y ** 2)


def repeated_index_array(x, s):
    """An index array computed at run time, a broadcast scalar, and rows of a matrix."""
    idx = np.array([2, 0, 2])
    y = x * 1.0
    y[idx] = s * x[1]
    m = np.outer(x, x)
    m[[0, 0], [1, 1]] = x[:2] ** 2
    m[:, [2, 2]] = m[:, :2] * s
    return np.sum(y * y) + np.sum(np.sin(m))


def write_into_parameter(x):
    x[0] = x[1] * 3.0
    return np.sum(x * x)


def tuple_of_writes(x):
    y = np.zeros(2)
    y[0], y[1] = x[1], x[0] * x[1]
    return np.sum(y ** 3)


def outer_in_loops(x):
    n = len(x)
    a = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            a[i, j] = x[i] * x[j] + (i == j)
    return np.sum(a @ x)


def broadcast_write(x, s):
    y = np.zeros((2, 3))
    y[:] = s
    y[1] = y[1] * x
    return np.sum(y ** 2)


def rows_in_loop(x, w):
    h = np.zeros((3, len(x)))
    h[0] = x
    for t in range(1, 3):
        h[t] = np.tanh(h[t - 1] * w)
    return np.sum(h[-1])


def write_in_branch(x):
    y = x * 1.0
    for i in range(len(x)):
        if x[i] > 0:
            y[i] = x[i] * x[i]
        else:
            y[i] = -x[i]
    return np.sum(y) * y[0]


# ---- containers -------------------------------------------------------------------------------

def dict_of_parameters(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    out = {"h": h, "total": np.sum(h)}
    return out["total"] * params["scale"]


def write_into_dict(params, x):
    params["b"] = params["b"] * 2.0
    return np.sum(params["W"] @ x * params["b"])


def enumerate_loop(xs):
    s = 0.0
    for i, x in enumerate(xs):
        s = s + (i + 1) * np.sin(x)
    return s


def zip_loop(xs, ys):
    s = 0.0
    for k, (x, y) in enumerate(zip(xs, ys), 1):
        s = s + k * x * y
    return s


def loop_over_pairs(a, b):
    pairs = [(a, b), (b, a * 2.0)]
    s = 0.0
    for u, v in pairs:
        s = s + u * np.cos(v)
    return s


# ---- comprehensions, Python built-ins, lambdas and nested functions ---------------------------

def list_comprehension(x):
    squares = [x[i] ** 2 for i in range(len(x)) if i != 1]
    return sum(squares) + np.sum(np.array([np.sin(v) for v in x]))


def generator_in_sum(x, y):
    return sum(x[i] * y[j] for i in range(2) for j in range(3) if i <= j)


def appended_then_summed(x):
    ys = []
    for i in range(3):
        ys.append(x * (i + 1))
    ys.append(ys[-1] * ys[0])
    return np.sum(sum(ys)) + np.sum(ys[1])


def builtins_pow_max(x, y):
    return pow(x, 3) + max(x, y) * min(x * 2.0, y) + pow(abs(y), 1.5)


SCALE = 2.5


def lambdas_and_closures(x, y):
    offset = np.sum(y)
    sq = lambda t: t * t
    shifted = lambda t, k=1.0: (t + offset) * k * SCALE
    return np.sum(sq(x) + shifted(x, k=0.5) + shifted(y))


def nested_def(x):
    def soft(t, n=3):
        s = t
        for _ in range(n):
            if np.sum(s) > 4.0:
                return s * 0.5
            s = s * np.cos(s) + t
        return s
    return np.sum(soft(x) * soft(x * 0.3, n=2))


def floor_mod_pow(x):
    return np.sum(x % 1.5 + (x // 0.7) * x + x ** 2 + x ** 0.5)

# ---- found by the random program generator (tests/proggen.py) ---------------------------------

def inactive_loop_reads_written_array(x, a):
    """An inner loop that only reads z (its values unused) records what it overwrites,
    since the temporary it binds to ``z[j]`` shares z's memory: the backward pass
    must pop it too."""
    z = np.zeros(3)
    for i in range(1, 3):
        for j in range(2):
            w = z[j] ** 2
        z[i] = z[i - 1] * 0.5 + a * x[i]
    return np.sum(z)


def recorded_write_at_loop_index(x):
    """``z[i] = ...`` recorded (later adjoints read z) in a loop over i: its pop needs i."""
    z = np.ones(3)
    for i in range(1, 3):
        z[i] = z[i - 1] * 0.5 + np.mean(np.cos(z))
        v = np.tanh(z * np.sum(x))
    return np.sum(v)


def write_array_into_itself(x, w):
    """``z[::-1] = z`` reverses z in place: the adjoint must read d_z[::-1] before clearing it."""
    z = x * w
    z[::-1] = z
    return np.sum(z * np.arange(3.0))


def early_return_after_write(x, a):
    """``return z[0]`` in a loop that writes z: s2s takes the result (``_out``, a
    subscript of z) to be live across the write in the next trip."""
    z = np.zeros(3)
    for i in range(3):
        z[i] = a * z[i - 1] + x[i]
        if z[i] > 5.0:
            return z[0]
    return np.sum(z * z)


def dict_entry_write_with_shared_value(x, y):
    """Writing ``d["c"]`` rebinds an entry: ``y``, held by the dict, is not changed."""
    d = {"w": x * 0.5, "c": y}
    d["c"] = d["c"] * 2.0
    return np.sum(d["w"] * d["c"]) + np.sum(y)


def loop_variable_reused(x, y):
    """The same loop variable over x, then over z: z and x share no memory."""
    z = np.zeros(3)
    for e in x:
        z[1:] = e * y[1:]
    for e in z:
        z[0] = z[0] + e
    return np.sum(z * x)
