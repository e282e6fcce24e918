"""PyTorch CPU peer for `npm run bench:train`: trains the same MLP / CNN on the same
Fashion-MNIST samples (batch 128, Adam 1e-3, shuffled) and prints one JSON line.

Run with Debian's interpreter: /usr/bin/python3 bench/torch_train.py --model mlp ...
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
        data = f.read()
    ndims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndims)]
    assert data[2] == 0x08, "expected uint8 IDX data"
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(shape)


def build(kind):
    # Same layers, shapes and default initialisation family (Glorot for tfjs, Kaiming-uniform
    # for torch: initialisation does not change the cost per sample).
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["mlp", "cnn"], required=True)
    p.add_argument("--train-images", required=True)
    p.add_argument("--train-labels", required=True)
    p.add_argument("--test-images", required=True)
    p.add_argument("--test-labels", required=True)
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--test-samples", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="0 = torch's default")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = torch.from_numpy(read_idx(a.train_images)[: a.samples].astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(read_idx(a.train_labels)[: a.samples].astype(np.int64))
    xt = torch.from_numpy(read_idx(a.test_images)[: a.test_samples].astype(np.float32) / 255.0).unsqueeze(1)
    yt = torch.from_numpy(read_idx(a.test_labels)[: a.test_samples].astype(np.int64))
    model = build(a.model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    n = x.shape[0]
    start = time.perf_counter()
    total, steps = 0.0, 0
    for _ in range(a.epochs):
        order = torch.randperm(n)
        for i in range(0, n, a.batch):
            idx = order[i: i + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).float().mean().item()
    print(json.dumps({
        "model": a.model, "samples_per_s": n * a.epochs / seconds, "seconds": seconds,
        "mean_loss": total / steps, "test_accuracy": acc, "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
