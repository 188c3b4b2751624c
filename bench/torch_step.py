"""The seed notebook's MNIST CNN, one Adam training step at batch 256, 2 threads.

Prints one JSON object: {"stepMs": median step time in ms, "stepQ10Ms": its 10th percentile,
"torch": version}.
Random inputs in [-1, 1] (the step time does not depend on the pixel values).
"""
import json
import sys
import time
from collections import OrderedDict

import torch
import torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(42)
BATCH = int(sys.argv[1]) if len(sys.argv) > 1 else 256
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 10


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(OrderedDict([
            ('conv1', nn.Conv2d(1, 64, kernel_size=7, padding='same')),
            ('pool1', nn.MaxPool2d(kernel_size=7)),
            ('relu1', nn.ReLU()),
            ('dropout', nn.Dropout(0)),
            ('conv2', nn.Conv2d(64, 128, kernel_size=4)),
            ('relu2', nn.ReLU()),
        ]))
        self.dense = nn.Sequential(OrderedDict([
            ('dropout1', nn.Dropout(0)),
            ('lin1', nn.Linear(128, 32)),
            ('relu1', nn.ReLU()),
            ('dropout2', nn.Dropout(0)),
            ('lin2', nn.Linear(32, 10)),
            ('softmax', nn.Softmax(dim=1)),
        ]))

    def forward(self, x):
        return self.dense(torch.flatten(self.conv(x), start_dim=1))


model = CNN()
optimizer = torch.optim.Adam(model.parameters())
loss_fn = nn.CrossEntropyLoss()
x = torch.rand(BATCH, 1, 28, 28) * 2 - 1
y = torch.randint(0, 10, (BATCH,))
times = []
for i in range(STEPS + 3):
    start = time.perf_counter()
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    if i >= 3:
        times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"stepMs": times[len(times) // 2], "stepQ10Ms": times[len(times) // 10], "torch": torch.__version__}))
