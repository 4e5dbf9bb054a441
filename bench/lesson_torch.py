#!/usr/bin/python3
"""The Initialization lesson (bench/lesson_numpy.py) in PyTorch: the same data, the same initial weights
(drawn by numpy's generator, as the notebook draws them, then converted), the same arithmetic on float64
tensors on the CPU, the cost every step as the notebook computes it. Peer of
`initlab lua/lessons/initialization.lua --no-report` in scripts/bench.
Usage: /usr/bin/python3 bench/lesson_torch.py [iterations]
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
import notebook  # noqa: E402  (the notebook's numpy code: data and initial weights)


def forward_propagation(X, p):
    z1 = torch.mm(p["W1"], X) + p["b1"]
    a1 = torch.clamp(z1, min=0)
    z2 = torch.mm(p["W2"], a1) + p["b2"]
    a2 = torch.clamp(z2, min=0)
    z3 = torch.mm(p["W3"], a2) + p["b3"]
    a3 = 1 / (1 + torch.exp(-z3))
    return a3, (z1, a1, z2, a2, z3, a3)


def compute_loss(a3, Y):
    m = Y.shape[1]
    logprobs = -torch.log(a3) * Y + -torch.log(1 - a3) * (1 - Y)
    return 1. / m * torch.nansum(logprobs)


def backward_propagation(X, Y, cache, p):
    m = X.shape[1]
    z1, a1, z2, a2, z3, a3 = cache
    dz3 = 1. / m * (a3 - Y)
    grads = {"dW3": torch.mm(dz3, a2.t()), "db3": torch.sum(dz3, dim=1, keepdim=True)}
    da2 = torch.mm(p["W3"].t(), dz3)
    dz2 = da2 * (a2 > 0).to(torch.float64)
    grads["dW2"], grads["db2"] = torch.mm(dz2, a1.t()), torch.sum(dz2, dim=1, keepdim=True)
    da1 = torch.mm(p["W2"].t(), dz2)
    dz1 = da1 * (a1 > 0).to(torch.float64)
    grads["dW1"], grads["db1"] = torch.mm(dz1, X.t()), torch.sum(dz1, dim=1, keepdim=True)
    return grads


def model(X, Y, learning_rate=0.01, num_iterations=15000, initialization="he"):
    init = {"zeros": notebook.initialize_parameters_zeros, "random": notebook.initialize_parameters_random,
            "he": notebook.initialize_parameters_he}[initialization]
    p = {k: torch.from_numpy(v) for k, v in init([X.shape[0], 10, 5, 1]).items()}
    for i in range(num_iterations):
        a3, cache = forward_propagation(X, p)
        cost = compute_loss(a3, Y)
        grads = backward_propagation(X, Y, cache, p)
        for k in ("W1", "b1", "W2", "b2", "W3", "b3"):
            p[k] = p[k] - learning_rate * grads["d" + k]
        if i % 1000 == 0:
            print("Cost after iteration {}: {}".format(i, float(cost)))
    return p


def predict(X, y, p):
    a3, _ = forward_propagation(X, p)
    predictions = (a3 > 0.5).to(torch.float64)
    print("Accuracy: " + str(float(torch.mean((predictions[0, :] == y[0, :]).to(torch.float64)))))


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 15000
    train_X, train_Y, test_X, test_Y = (torch.from_numpy(a.astype(np.float64)) for a in notebook.load_dataset())
    for init in ("zeros", "random", "he"):
        p = model(train_X, train_Y, num_iterations=iterations, initialization=init)
        print("On the train set:")
        predict(train_X, train_Y, p)
        print("On the test set:")
        predict(test_X, test_Y, p)


if __name__ == "__main__":
    main()
