#!/usr/bin/python3
"""Generate the golden data that initlab's tests compare against.

Run from anywhere with Debian's Python (numpy 1.24, scikit-learn 1.2):

    /usr/bin/python3 tests/golden/gen_golden.py

It rewrites, next to this file:
  random.json    numpy's legacy global stream (seed, randn, rand, normal, shuffle)
  datasets.json  sklearn's make_circles / make_moons drawing from that stream
  lesson.json    the Initialization lesson run by numpy as the course notebook does it

The output is deterministic: running it twice gives byte-identical files.  Non-finite
floats are written as the strings "inf", "-inf", "nan" so that any JSON reader
(lua-cjson included) accepts the files.  The script asserts the numbers the lesson
publishes, so a regression in the generator (or in numpy) fails loudly.
"""

import math
import os
import sys

# One BLAS thread: the same summation order on every run, whatever the machine.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import sklearn.datasets  # noqa: E402

from notebook import (INITIALIZERS, initialize_parameters_he, initialize_parameters_random,  # noqa: E402
                      initialize_parameters_random_rand_bug, initialize_parameters_zeros, load_dataset, model,
                      predict)

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# JSON writing: repr precision, non-finite as strings, rows of a matrix on one line
# ---------------------------------------------------------------------------

def plain(value):
    """Turn numpy scalars/arrays into Python ints, floats, lists; non-finite floats into strings."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if value is None or isinstance(value, str):
        return value
    raise TypeError("cannot write %r to JSON" % (value,))


def encode_scalar(value):
    import json
    return json.dumps(value, allow_nan=False)


def encode(value, indent=0):
    """Compact but diff-friendly: a list of scalars stays on one line, everything else nests."""
    pad = " " * indent
    inner = " " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ["%s%s: %s" % (inner, encode_scalar(k), encode(v, indent + 1)) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(v, (list, dict)) for v in value):
            return "[" + ",".join(encode_scalar(v) for v in value) + "]"
        return "[\n" + ",\n".join(inner + encode(v, indent + 1) for v in value) + "\n" + pad + "]"
    return encode_scalar(value)


def write_json(name, obj):
    text = encode(plain(obj)) + "\n"
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (path, len(text)))


def check(cond, message):
    if not cond:
        sys.exit("gen_golden.py: CHECK FAILED: " + message)


# ---------------------------------------------------------------------------
# 1. random.json: the legacy global stream
# ---------------------------------------------------------------------------

def call_randn(rows, cols):
    return {"fn": "randn", "rows": rows, "cols": cols, "out": np.random.randn(rows, cols)}


def call_rand(rows, cols):
    return {"fn": "rand", "rows": rows, "cols": cols, "out": np.random.rand(rows, cols)}


def call_normal(loc, scale, rows, cols):
    out = np.random.normal(loc=loc, scale=scale, size=(rows, cols))
    return {"fn": "normal", "loc": loc, "scale": scale, "rows": rows, "cols": cols, "out": out}


def call_shuffle(n):
    x = list(range(n))
    np.random.shuffle(x)
    return {"fn": "shuffle", "n": n, "out": x}


# Each case: the seed, then a list of thunks run in order on one stream.
RANDOM_CASES = [
    (0, [
        # The cached second Gaussian carries over rand() and into the next randn().
        lambda: call_randn(1, 1), lambda: call_rand(1, 1), lambda: call_randn(1, 3),
        lambda: call_randn(3, 4), lambda: call_rand(3, 4), lambda: call_randn(7, 3),
        lambda: call_randn(1, 10), lambda: call_shuffle(10), lambda: call_randn(1, 1),
    ]),
    (1, [
        # What load_dataset() does for the training set: shuffle 300, then normal(0.05) 300 x 2.
        lambda: call_shuffle(300), lambda: call_normal(0.0, 0.05, 300, 2), lambda: call_randn(1, 1),
    ]),
    (2, [
        lambda: call_shuffle(0), lambda: call_shuffle(1), lambda: call_shuffle(2),
        lambda: call_rand(1, 10), lambda: call_randn(1, 10), lambda: call_shuffle(10),
        lambda: call_rand(7, 3),
    ]),
    (3, [
        # What the He / random initializers draw for [2, 10, 5, 1] (an odd count: 20 + 50 + 5).
        lambda: call_randn(10, 2), lambda: call_randn(5, 10), lambda: call_randn(1, 5),
        lambda: call_randn(1, 1), lambda: call_randn(1, 1),
    ]),
    (42, [
        lambda: call_randn(50, 40), lambda: call_shuffle(1000), lambda: call_randn(1, 3),
    ]),
    (12345, [
        # normal() shares the cache with randn(); scale 0 still consumes the stream.
        lambda: call_normal(0.0, 1.0, 1, 1), lambda: call_randn(1, 1),
        lambda: call_normal(1.5, 0.0, 1, 3), lambda: call_randn(1, 1),
        lambda: call_normal(-2.0, 3.25, 3, 4), lambda: call_rand(1, 1), lambda: call_randn(1, 3),
    ]),
    (2**32 - 1, [
        lambda: call_randn(1, 1), lambda: call_rand(1, 1), lambda: call_randn(1, 3),
        lambda: call_shuffle(2), lambda: call_shuffle(10), lambda: call_randn(3, 4),
        lambda: call_normal(0.0, 0.1, 7, 3),
    ]),
]


def gen_random():
    cases = []
    for seed, thunks in RANDOM_CASES:
        np.random.seed(seed)
        cases.append({"seed": seed, "calls": [t() for t in thunks]})

    checks = {}
    for seed in (0, 3):
        np.random.seed(seed)
        checks["randn_after_seed_%d" % seed] = float(np.random.randn())
    check(checks["randn_after_seed_0"] == 1.764052345967664, "first randn after seed(0)")
    check(checks["randn_after_seed_3"] == 1.7886284734303186, "first randn after seed(3)")

    # The cached Gaussian survives rand(): seed 0's second randn call starts with the cached value.
    np.random.seed(0)
    first_pair = np.random.randn(2)
    check(cases[0]["calls"][2]["out"][0, 0] == first_pair[1], "cached gaussian crosses rand()")

    write_json("random.json", {"cases": cases, "checks": checks})


# ---------------------------------------------------------------------------
# 2. datasets.json: make_circles / make_moons on the global stream
# ---------------------------------------------------------------------------

CIRCLES_CASES = [
    # (seed, n, noise, factor, shuffle)
    (1, 300, 0.05, 0.8, True),   # the lesson's training set
    (2, 100, 0.05, 0.8, True),   # the lesson's test set
    (0, 1, 0.05, 0.8, True),
    (0, 2, 0.05, 0.8, True),
    (0, 3, 0.05, 0.8, True),
    (0, 7, 0.05, 0.8, True),
    (5, 10, None, 0.8, True),    # no noise: only the shuffle draws
    (5, 10, 0.0, 0.8, True),     # noise 0.0 is not None: sklearn still draws the noise
    (6, 10, 0.05, 0.8, False),   # no shuffle: only the noise draws
    (6, 10, None, 0.8, False),   # draws nothing at all
    (7, 12, 0.05, 0.0, True),
    (7, 12, 0.05, 0.5, True),
]

MOONS_CASES = [
    # (seed, n, noise, shuffle)
    (0, 1, 0.1, True), (0, 2, 0.1, True), (0, 3, 0.1, True), (0, 100, 0.1, True),
    (1, 1, None, True), (1, 2, None, True), (1, 3, None, True), (1, 100, None, True),
    (4, 9, 0.1, False), (4, 9, 0.0, True),
]


def dataset_case(seed, n, noise, X, Y, shuffle, factor=None):
    case = {"seed": seed, "n": n, "noise": noise}
    if factor is not None:
        case["factor"] = factor
    case["shuffle"] = shuffle
    case["X"] = X.T.reshape(2, n)            # the lesson's layout: 2 x n
    case["Y"] = Y.reshape(1, n).astype(int)  # 1 x n integer labels
    case["next_randn"] = float(np.random.randn())
    return case


def gen_datasets():
    circles = []
    for seed, n, noise, factor, shuffle in CIRCLES_CASES:
        np.random.seed(seed)
        X, Y = sklearn.datasets.make_circles(n_samples=n, noise=noise, factor=factor, shuffle=shuffle)
        circles.append(dataset_case(seed, n, noise, X, Y, shuffle, factor))
    moons = []
    for seed, n, noise, shuffle in MOONS_CASES:
        np.random.seed(seed)
        X, Y = sklearn.datasets.make_moons(n_samples=n, noise=noise, shuffle=shuffle)
        moons.append(dataset_case(seed, n, noise, X, Y, shuffle))

    # Pin the stream accounting that the tests rely on.
    def first_randn(seed, skip=0):
        np.random.seed(seed)
        return float(np.random.randn(skip + 1)[skip])

    no_draws = circles[9]
    check(no_draws["next_randn"] == first_randn(6), "circles without shuffle or noise draw nothing")
    zero_noise, no_noise = circles[7], circles[6]
    check(zero_noise["next_randn"] != no_noise["next_randn"], "noise=0.0 consumes the stream")
    check(np.array_equal(np.array(zero_noise["X"]), np.array(no_noise["X"])), "noise=0.0 leaves X unchanged")
    write_json("datasets.json", {"circles": circles, "moons": moons})
    return circles[0], circles[1]


# ---------------------------------------------------------------------------
# 3. lesson.json: the notebook run by its own numpy code (notebook.py)
# ---------------------------------------------------------------------------

PARAM_ORDER = ("W1", "b1", "W2", "b2", "W3", "b3")

# The spec's published numbers (initialization-lesson.md); checked below.
HE_COSTS = [0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893807,
            0.6082958970572937, 0.5304944491717495, 0.4138645817071793, 0.3117803464844441,
            0.23696215330322556, 0.18597287209206828, 0.15015556280371808, 0.12325079292273548,
            0.09917746546525937, 0.08457055954024274, 0.07357895962677366]
ACCURACIES = {"zeros": (0.5, 0.5), "random": (0.83, 0.86), "he": (0.9933333333333333, 0.96),
              "random_rand_bug": (0.6833333333333333, 0.67)}


def ordered(params):
    return {k: params[k] for k in PARAM_ORDER if k in params}


def close(a, b, tol):
    return np.allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=0, atol=tol)


def gen_lesson(train_case, test_case):
    train_X, train_Y, test_X, test_Y = load_dataset()
    # load_dataset must match the datasets.json lesson cases exactly.
    check(np.array_equal(train_X, train_case["X"]) and np.array_equal(train_Y, train_case["Y"]), "train set")
    check(np.array_equal(test_X, test_case["X"]) and np.array_equal(test_Y, test_case["Y"]), "test set")

    runs = {}
    for name in ("zeros", "random", "he", "random_rand_bug"):
        print("model(initialization=%r)" % name)
        params, init, costs = model(train_X, train_Y, initialization=name)
        p_train, acc_train = predict(train_X, train_Y, params)
        p_test, acc_test = predict(test_X, test_Y, params)
        print("  train accuracy %r, test accuracy %r" % (acc_train, acc_test))
        check((acc_train, acc_test) == ACCURACIES[name],
              "%s accuracies %r, spec says %r" % (name, (acc_train, acc_test), ACCURACIES[name]))
        runs[name] = {"init": ordered(init), "costs": costs, "train_accuracy": acc_train,
                      "test_accuracy": acc_test, "final": ordered(params), "train_predictions": p_train}

    check(close(runs["he"]["costs"], HE_COSTS, 1e-12), "he costs differ from the spec by more than 1e-12")
    check(all(c == math.log(2) or abs(c - math.log(2)) < 1e-15 for c in runs["zeros"]["costs"]), "zeros cost is log 2")
    check(not np.any(runs["zeros"]["train_predictions"]), "zeros predicts all 0")
    check(runs["random"]["costs"][0] == math.inf, "random (randn * 10) starts at cost inf")
    check(runs["random_rand_bug"]["costs"][0] == math.inf, "rand bug starts at cost inf")

    examples = {
        "zeros_3_2_1": initialize_parameters_zeros([3, 2, 1]),
        "random_3_2_1": initialize_parameters_random([3, 2, 1]),
        "he_2_4_1": initialize_parameters_he([2, 4, 1]),
    }
    check(close(examples["random_3_2_1"]["W1"], [[17.88628473, 4.36509851, 0.96497468],
                                                 [-18.63492703, -2.77388203, -3.54758979]], 5e-9), "random W1")
    check(close(examples["random_3_2_1"]["W2"], [[-0.82741481, -6.27000677]], 5e-9), "random W2")
    check(close(examples["he_2_4_1"]["W1"], [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                                             [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]], 5e-9), "he W1")
    check(close(examples["he_2_4_1"]["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]], 5e-9), "he W2")
    # The notebook's printed rand-bug W1/W2 for [3, 2, 1].
    bug = initialize_parameters_random_rand_bug([3, 2, 1])
    check(close(bug["W1"], [[5.50797903, 7.08147823, 2.90904739], [5.10827605, 8.92946954, 8.96293089]], 5e-9),
          "rand bug W1")
    check(close(bug["W2"], [[1.2558531, 2.07242878]], 5e-9), "rand bug W2")

    write_json("lesson.json", {
        "dataset": {"train_X": train_X, "train_Y": train_Y, "test_X": test_X, "test_Y": test_Y},
        "runs": runs,
        "init_examples": {k: ordered(v) for k, v in examples.items()},
    })


# ---------------------------------------------------------------------------
# 4. format.json: numpy's str() of 2-D arrays, for initlab's tostring(matrix)
# ---------------------------------------------------------------------------

def gen_format():
    rng = np.random.RandomState(2024)
    arrays = {
        "lesson_he_w1": np.array([[1.78862847, 0.43650985], [0.09649747, -1.8634927]]),
        "zeros": np.zeros((2, 3)),
        "integers": np.array([[0., 1., 1.], [10., -2., 3.]]),
        "wrapped_row": np.arange(300.).reshape(1, 300) * 1.5,
        "wrapped_randn": rng.randn(2, 20),
        "summarized": np.arange(2000.).reshape(40, 50) / 7,
        "summarized_rows": rng.randn(400, 3),
        "summarized_cols": rng.randn(2, 600),
        "scientific_small": np.array([[1e-5, 0.5, 1.0]]),
        "scientific_large": np.array([[1e9, -3.0]]),
        "scientific_ratio": np.array([[0.001, 2.0, 5000.0]]),
        "tiny_and_zero": np.array([[0.0, 1e-300]]),
        "nonfinite": np.array([[np.nan, -np.inf, 1.5], [np.inf, 0.0, -2.25]]),
        "only_nonfinite": np.array([[np.nan, np.inf]]),
        "negative_zero": np.array([[-0.0, 1.0]]),
        "big_positional": np.array([[12345678.5, -0.25]]),
        "empty_rows": np.zeros((0, 3)),
    }
    cases = [{"name": k, "matrix": v, "str": str(v)} for k, v in arrays.items()]
    write_json("format.json", {"cases": cases})


def main():
    print("numpy %s, scikit-learn %s, python %s" % (np.__version__, sklearn.__version__, sys.version.split()[0]))
    gen_random()
    train_case, test_case = gen_datasets()
    gen_lesson(train_case, test_case)
    gen_format()


if __name__ == "__main__":
    main()
