#!/usr/bin/python3
"""The Initialization lesson as the course notebook runs it in numpy: tests/golden/notebook.py, the
notebook's own code (also what makes the golden data).

Peer of `initlab lua/lessons/initialization.lua --no-report` for scripts/bench: the same data, the three
models (zeros, large random, He) trained for 15000 steps each with the cost computed every step as the
notebook does, then the train and test accuracies. Prints what the notebook prints.
Usage: /usr/bin/python3 bench/lesson_numpy.py [iterations]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
from notebook import load_dataset, model, predict  # noqa: E402


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 15000
    np.seterr(divide="ignore", invalid="ignore", over="ignore")  # the notebook's log(0) / exp overflow warnings
    train_X, train_Y, test_X, test_Y = load_dataset()
    for init in ("zeros", "random", "he"):
        parameters, _, _ = model(train_X, train_Y, num_iterations=iterations, initialization=init)
        print("On the train set:")
        predict(train_X, train_Y, parameters, verbose=True)
        print("On the test set:")
        predict(test_X, test_Y, parameters, verbose=True)


if __name__ == "__main__":
    main()
