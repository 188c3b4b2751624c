"""The seed notebook's 2D experiment in PyTorch, for side-by-side comparison with
examples/src/activations-2d.ts. Follows the notebook's code: two Gaussian populations of 40
points (sigma 0.5, means -1 and +1, NumPy seed 42), 70/30 random_split, batch 8, the
over-parameterised MLP 2-16-16-2 with a final Softmax fed to CrossEntropyLoss, Adam, 50 epochs.

Prints one JSON line per epoch: validation accuracy, relu2's output activation/death rate and
lin2's weight/bias gradient death rate, with monitorch's definitions (eps 1e-8, per-batch rates
averaged over the epoch's batches).

Usage: /usr/bin/python3 examples/torch/seed_2d.py [--seed 42] [--epochs 50] [--runs 1]
With --runs N it repeats the run for torch seeds seed..seed+N-1 (same data) and prints a final
JSON line with the spread of the last-epoch rates.
"""
import argparse, json, sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

EPS = 1e-8


def data(seed):
    np.random.seed(seed)
    pos = np.random.standard_normal(size=(40, 2)) * 0.5 - 1
    neg = np.random.standard_normal(size=(40, 2)) * 0.5 + 1
    x = torch.tensor(np.vstack((pos, neg)), dtype=torch.float32)
    y = torch.tensor(np.hstack((np.ones(40), np.zeros(40))), dtype=torch.long)
    full = TensorDataset(x, y)
    train, val = torch.utils.data.random_split(full, [56, 24], generator=torch.Generator().manual_seed(seed))
    return DataLoader(train, batch_size=8, shuffle=True), DataLoader(val, batch_size=8, shuffle=False)


def output_rates(out):
    r = (out.detach().abs() > EPS).float().mean(dim=0)  # [C] for [B, C]
    return r.mean().item(), (r == 0).float().mean().item()


def grad_death(g):
    r = (g.detach().abs() > EPS).float()
    r = r.mean(dim=1) if r.dim() > 1 else r
    return (r == 0).float().mean().item()


def run(seed, torch_seed, epochs, log):
    torch.manual_seed(torch_seed)
    train_loader, val_loader = data(seed)
    model = nn.Sequential(OrderedDict([
        ("lin1", nn.Linear(2, 16)), ("relu1", nn.ReLU()),
        ("lin2", nn.Linear(16, 16)), ("relu2", nn.ReLU()),
        ("lin3", nn.Linear(16, 2)), ("softmax", nn.Softmax(dim=1)),
    ]))
    opt = torch.optim.Adam(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    batch = {}
    model.relu2.register_forward_hook(lambda m, i, o: batch.__setitem__("relu2", output_rates(o)) if m.training else None)
    row = {}
    for epoch in range(1, epochs + 1):
        model.train()
        acts, deaths, wdeaths, bdeaths = [], [], [], []
        for x, y in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            a, d = batch["relu2"]
            acts.append(a)
            deaths.append(d)
            wdeaths.append(grad_death(model.lin2.weight.grad))
            bdeaths.append(grad_death(model.lin2.bias.grad))
            opt.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in val_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        row = {"torch_seed": torch_seed, "epoch": epoch, "val_accuracy": correct / 24,
               "relu2.activation": float(np.mean(acts)), "relu2.death": float(np.mean(deaths)),
               "lin2.weight_grad_death": float(np.mean(wdeaths)), "lin2.bias_grad_death": float(np.mean(bdeaths))}
        if log:
            print(json.dumps(row), flush=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    last = [run(args.seed, args.seed + k, args.epochs, args.runs == 1) for k in range(args.runs)]
    if args.runs > 1:
        for r in last:
            print(json.dumps(r), flush=True)
        keys = ["val_accuracy", "relu2.activation", "relu2.death", "lin2.weight_grad_death", "lin2.bias_grad_death"]
        print(json.dumps({"runs": args.runs, **{k: {"mean": float(np.mean([r[k] for r in last])),
                                                     "min": float(np.min([r[k] for r in last])),
                                                     "max": float(np.max([r[k] for r in last]))} for k in keys}}))


if __name__ == "__main__":
    sys.exit(main())
