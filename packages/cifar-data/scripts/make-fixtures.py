#!/usr/bin/env python3
"""Golden values for test/fixtures/torchvision-transforms.json, made with torchvision.

Run: /usr/bin/python3 scripts/make-fixtures.py > test/fixtures/torchvision-transforms.json
The image is a fixed 32x32x3 uint8 pattern (stored in the fixture, NHWC); every output is float32,
channels-last, so tests compare element by element.
"""
import json
import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

H = W = 32
y, x, c = np.meshgrid(np.arange(H), np.arange(W), np.arange(3), indexing='ij')
img = ((x * 7 + y * 13 + c * 50 + x * y * 3 + (x ^ y) * 5) % 256).astype(np.uint8)  # HWC
pil = Image.fromarray(img)

def nhwc(t):  # CHW float tensor -> nested HWC lists of float32 values
    return [[[float(v) for v in px] for px in row] for row in t.permute(1, 2, 0).numpy().astype(np.float32)]

mean, std = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
out = {
    'torch': torch.__version__, 'torchvision': torchvision.__version__,
    'image': img.flatten().tolist(),
    'toTensor': nhwc(T.ToTensor()(pil)),
    'centerCrop': [],
    'normalize': {'mean': mean, 'std': std, 'centerCrop': 24,
                  'out': nhwc(T.Compose([T.CenterCrop(24), T.ToTensor(), T.Normalize(mean, std)])(pil))},
    'hflipCrop': {'note': 'hflip then crop(top=3, left=5, 20x22) on the flipped image',
                  'out': nhwc(T.ToTensor()(torchvision.transforms.functional.crop(torchvision.transforms.functional.hflip(pil), 3, 5, 20, 22)))},
}
for size in [24, 25, 23, 27, 31, 1, [24, 27], [21, 30]]:
    out['centerCrop'].append({'size': size, 'out': nhwc(T.Compose([T.CenterCrop(size), T.ToTensor()])(pil))})
print(json.dumps(out))
