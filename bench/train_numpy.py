#!/usr/bin/python3
"""A dense ReLU network with a sigmoid output trained by full-batch gradient descent, in numpy, written
the way the course notebook writes its 3-layer model (np.dot, np.maximum, a dict of parameters), for any
number of layers. Peer of `initlab bench/train.lua` in scripts/bench.

Usage: /usr/bin/python3 bench/train_numpy.py --sizes 2,50x30,1 --examples 300 --steps 500 [--every 100]
(`50x30` means 30 layers of 50 units.) The data: scikit-learn's circles (noise 0.05, seed 1), as the lesson.
"""
import argparse
import time

import numpy as np
import sklearn.datasets


def parse_sizes(text):
    sizes = []
    for part in text.split(","):
        if "x" in part:
            width, count = part.split("x")
            sizes += [int(width)] * int(count)
        else:
            sizes.append(int(part))
    return sizes


def circles(n):
    np.random.seed(1)
    X, Y = sklearn.datasets.make_circles(n_samples=n, noise=.05)
    return X.T, Y.reshape((1, n))


def initialize_he(sizes):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(sizes)):
        parameters["W" + str(l)] = np.random.randn(sizes[l], sizes[l - 1]) * np.sqrt(2 / sizes[l - 1])
        parameters["b" + str(l)] = np.zeros((sizes[l], 1))
    return parameters


def forward(X, parameters, L):
    caches = [(None, X)]
    A = X
    for l in range(1, L + 1):
        Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
        caches.append((Z, A))
    return A, caches


def cost_of(AL, Y):
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
    return 1. / m * np.nansum(logprobs)


def backward(Y, parameters, caches, L):
    m = Y.shape[1]
    grads = {}
    dZ = 1. / m * (caches[L][1] - Y)
    for l in range(L, 0, -1):
        A_prev = caches[l - 1][1]
        grads["dW" + str(l)] = np.dot(dZ, A_prev.T)
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA_prev = np.dot(parameters["W" + str(l)].T, dZ)
            dZ = np.multiply(dA_prev, np.int64(A_prev > 0))
    return grads


def update(parameters, grads, learning_rate, L):
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


def parse_args():
    """The workload's options, shared with bench/train_torch.py."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2,10,5,1")
    ap.add_argument("--examples", type=int, default=300)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--lr", type=float, default=0.01)
    return ap.parse_args()


def main():
    args = parse_args()
    np.seterr(divide="ignore", invalid="ignore", over="ignore")
    sizes = parse_sizes(args.sizes)
    L = len(sizes) - 1
    X, Y = circles(args.examples)
    parameters = initialize_he(sizes)
    started = time.perf_counter()
    cost = None
    for i in range(args.steps):
        AL, caches = forward(X, parameters, L)
        if i % args.every == 0:
            cost = cost_of(AL, Y)
        grads = backward(Y, parameters, caches, L)
        parameters = update(parameters, grads, args.lr, L)
    print("numpy: %d steps of %s on %d examples: %.3f s, last cost %.6g"
          % (args.steps, args.sizes, args.examples, time.perf_counter() - started, cost))


if __name__ == "__main__":
    main()
