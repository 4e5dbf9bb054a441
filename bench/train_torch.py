#!/usr/bin/python3
"""bench/train_numpy.py in PyTorch: the same network, data, initialisation (drawn by numpy, then
converted) and arithmetic, in float64 tensors on the CPU with PyTorch's default threads. Peer of
`initlab bench/train.lua` in scripts/bench.

Usage: /usr/bin/python3 bench/train_torch.py --sizes 2,50x30,1 --examples 300 --steps 500 [--every 100]
"""
import time

import numpy as np
import torch

import train_numpy as ref


def main():
    args = ref.parse_args()
    sizes = ref.parse_sizes(args.sizes)
    L = len(sizes) - 1
    Xn, Yn = ref.circles(args.examples)
    X, Y = torch.from_numpy(Xn), torch.from_numpy(Yn.astype(np.float64))
    params = {k: torch.from_numpy(v) for k, v in ref.initialize_he(sizes).items()}
    m = args.examples
    started = time.perf_counter()
    cost = None
    for i in range(args.steps):
        caches = [(None, X)]
        A = X
        for l in range(1, L + 1):
            Z = torch.mm(params["W%d" % l], A) + params["b%d" % l]
            A = 1 / (1 + torch.exp(-Z)) if l == L else torch.clamp(Z, min=0)
            caches.append((Z, A))
        if i % args.every == 0:
            logprobs = -torch.log(A) * Y + -torch.log(1 - A) * (1 - Y)
            cost = float(torch.nansum(logprobs)) / m
        dZ = 1. / m * (A - Y)
        grads = {}
        for l in range(L, 0, -1):
            A_prev = caches[l - 1][1]
            grads["dW%d" % l] = torch.mm(dZ, A_prev.t())
            grads["db%d" % l] = torch.sum(dZ, dim=1, keepdim=True)
            if l > 1:
                dZ = torch.mm(params["W%d" % l].t(), dZ) * (A_prev > 0).to(torch.float64)
        for l in range(1, L + 1):
            params["W%d" % l] = params["W%d" % l] - args.lr * grads["dW%d" % l]
            params["b%d" % l] = params["b%d" % l] - args.lr * grads["db%d" % l]
    print("torch: %d steps of %s on %d examples: %.3f s, last cost %.6g"
          % (args.steps, args.sizes, args.examples, time.perf_counter() - started, cost))


if __name__ == "__main__":
    main()
