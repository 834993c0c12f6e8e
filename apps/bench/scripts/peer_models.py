"""Every model aa-bench trains, in PyTorch, built as the chapter builds its models.

The chapter's own (normal, aa, aa_fixed, resnet, rezero, rezero_mixup) follow chapter 14's code; the
exercises' follow the bench's @aa/blur, @aa/rezero and @aa/mixup models (apps/bench/src/experiments/).
Every layer keeps PyTorch's default initialisation, which the @aa models copy (kaiming-uniform a=sqrt(5)
kernels, U(+-1/sqrt(fan_in)) biases, BatchNorm eps 1e-5 momentum 0.1), so both sides start alike.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH = 16  # the chapter's h


def binomial_taps(k):
    """The normalised binomial filter C(k-1, i) / 2^(k-1): @aa/blur's, and the text's."""
    return [math.comb(k - 1, i) / 2 ** (k - 1) for i in range(k)]


def chapter_taps(k):
    """What the chapter's code builds, scipy.stats.binom.pmf(range(k), k, 0.5): n = k, lopsided, sums to < 1."""
    return [math.comb(k, i) / 2 ** k for i in range(k)]


class Blur(nn.Module):
    """Depthwise blur with the outer product of `taps`, at `stride`, with `pad` zeros on every side.

    pad 1 for k=3 is @aa/blur's BlurPool padding 'same'; pad 0 its 'valid'. The filter is a buffer, not a
    parameter: nothing to train, nothing to count.
    """

    def __init__(self, taps, stride, pad):
        super().__init__()
        t = torch.tensor(taps, dtype=torch.float32)
        self.register_buffer('weight', (t[:, None] * t[None, :])[None, None])
        self.stride, self.pad = stride, pad

    def forward(self, x):
        c = x.shape[1]
        return F.conv2d(x, self.weight.expand(c, 1, -1, -1), stride=self.stride, padding=self.pad, groups=c)


class MaxBlurPool(nn.Module):
    """The chapter's MaxPool2dAA: max pool 2 at stride 1 with padding 1, then a 3-tap blur at stride 2, no padding."""

    def __init__(self, taps):
        super().__init__()
        self.blur = Blur(taps, 2, 0)

    def forward(self, x):
        return self.blur(F.max_pool2d(x, 2, stride=1, padding=1))


def blur_pool():
    """@aa/blur's BlurPool({kernelSize: 3, stride: 2, padding: 'same'}): exercises 2 and 5."""
    return Blur(binomial_taps(3), 2, 1)


def cnn_layer(i, o, stride=1):
    return [nn.Conv2d(i, o, 3, padding=1, stride=stride), nn.BatchNorm2d(o), nn.ReLU()]


def chapter_cnn(pooling, classes=10, in_channels=3, side=24):
    """The chapter's small CNN: (conv-BN-ReLU) x2, subsample, x2, subsample, x2, flatten, linear (18,010 parameters).

    pooling: max | maxblur (normalised filter, @aa/blur's MaxBlurPool2D) | maxblur_chapter (the chapter's filter) |
    avg | blurpool | strided (the round's second conv at stride 2) | aastrided (that conv at stride 1, BN, ReLU, blur).
    """
    layers, c = [], in_channels
    for r in range(3):
        subsamples = r < 2
        layers += cnn_layer(c, WIDTH)
        c = WIDTH
        if subsamples and pooling == 'strided':
            layers += cnn_layer(c, WIDTH, stride=2)
        elif subsamples and pooling == 'aastrided':
            layers += cnn_layer(c, WIDTH) + [blur_pool()]
        else:
            layers += cnn_layer(c, WIDTH)
            if subsamples:
                layers.append({
                    'max': lambda: nn.MaxPool2d(2),
                    'maxblur': lambda: MaxBlurPool(binomial_taps(3)),
                    'maxblur_chapter': lambda: MaxBlurPool(chapter_taps(3)),
                    'avg': lambda: nn.AvgPool2d(2),
                    'blurpool': blur_pool,
                }[pooling]())
    body = nn.Sequential(*layers, nn.Flatten())
    flat = body(torch.zeros(1, in_channels, side, side)).shape[1]
    return nn.Sequential(*body, nn.Linear(flat, classes))


def combine(rezero):
    """ReZero `s + alpha * relu(f)` (alpha a scalar starting at 0) or plain `relu(s + f)`."""
    return ReZeroGate() if rezero else PlainSum()


class ReZeroGate(nn.Module):
    def __init__(self):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(1))

    def forward(self, s, f):
        return s + self.alpha * F.relu(f)


class PlainSum(nn.Module):
    def forward(self, s, f):
        return F.relu(s + f)


def projection(in_channels, channels, stride, downsample):
    """The shortcut: identity, or a bias-free 1x1 conv (with the stride, or after a blur pool) and BN."""
    if in_channels == channels and stride == 1:
        return nn.Identity()
    if downsample and stride > 1:
        return nn.Sequential(blur_pool(), nn.Conv2d(in_channels, channels, 1, bias=False), nn.BatchNorm2d(channels))
    return nn.Sequential(nn.Conv2d(in_channels, channels, 1, stride=stride, bias=False), nn.BatchNorm2d(channels))


class ResidualBlock(nn.Module):
    """The chapter's block: F = conv3x3-BN-ReLU-conv3x3(stride)-BN, bias-free. With `downsample` (exercise 5) a
    stride-2 block blur-pools before its second conv (then at stride 1) and before its 1x1 projection."""

    def __init__(self, in_channels, channels, stride=1, rezero=True, downsample=False):
        super().__init__()
        second = [blur_pool(), nn.Conv2d(channels, channels, 3, padding=1, bias=False)] if downsample and stride > 1 else [
            nn.Conv2d(channels, channels, 3, padding=1, stride=stride, bias=False)]
        self.F = nn.Sequential(nn.Conv2d(in_channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(),
                               *second, nn.BatchNorm2d(channels))
        self.shortcut = projection(in_channels, channels, stride, downsample)
        self.combine = combine(rezero)

    def forward(self, x):
        return self.combine(self.shortcut(x), self.F(x))


class BottleneckBlock(nn.Module):
    """Exercise 3 (@aa/rezero's bottleneckBlock): 1x1 to channels/4, BN, ReLU, 3x3 (stride), BN, ReLU, 1x1 to channels, BN."""

    def __init__(self, in_channels, channels, stride=1, rezero=True):
        super().__init__()
        inner = channels // 4
        self.F = nn.Sequential(nn.Conv2d(in_channels, inner, 1, bias=False), nn.BatchNorm2d(inner), nn.ReLU(),
                               nn.Conv2d(inner, inner, 3, padding=1, stride=stride, bias=False), nn.BatchNorm2d(inner), nn.ReLU(),
                               nn.Conv2d(inner, channels, 1, bias=False), nn.BatchNorm2d(channels))
        self.shortcut = projection(in_channels, channels, stride, False)
        self.combine = combine(rezero)

    def forward(self, x):
        return self.combine(self.shortcut(x), self.F(x))


class DenseBlock(nn.Module):
    """Exercise 3 (@aa/rezero's denseResidualBlock): bias-free linear-BN-ReLU-linear-BN, identity shortcut."""

    def __init__(self, units, rezero=True):
        super().__init__()
        self.F = nn.Sequential(nn.Linear(units, units, bias=False), nn.BatchNorm1d(units), nn.ReLU(),
                               nn.Linear(units, units, bias=False), nn.BatchNorm1d(units))
        self.combine = combine(rezero)

    def forward(self, x):
        return self.combine(x, self.F(x))


class Segmented(nn.Module):
    """A network as a list of segments run in turn, so Manifold MixUp can mix between any two (exercise 6)."""

    def __init__(self, segments):
        super().__init__()
        self.segments = nn.ModuleList(segments)

    def run(self, x, start=0, stop=None):
        for s in self.segments[start:stop]:
            x = s(x)
        return x

    def forward(self, x):
        return self.run(x)


def head(channels, classes):
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes))


def chapter_resnet(rezero, classes=10, blocks_per_stage=6, downsample=False, in_channels=3):
    """The chapter's ResNet: four stages (h, 2h, 4h, 4h channels; the last three start at stride 2) of
    1 + blocks_per_stage blocks (6: 28 blocks, exercise 4's 18: 76), then global average pooling and a linear layer.
    Its segments are the four stages and the head, @aa/rezero's segmentedResnet's."""
    stages, c = [], in_channels
    for channels, stride in [(WIDTH, 1), (2 * WIDTH, 2), (4 * WIDTH, 2), (4 * WIDTH, 2)]:
        blocks = [ResidualBlock(c, channels, stride, rezero, downsample)]
        blocks += [ResidualBlock(channels, channels, 1, rezero, downsample) for _ in range(blocks_per_stage)]
        stages.append(nn.Sequential(*blocks))
        c = channels
    return Segmented(stages + [head(c, classes)])


def bottleneck_resnet(rezero, classes, width=64, blocks_per_stage=2):
    """Exercise 3's bottleneck ResNet (@aa/rezero's bottleneckResnet): a 3x3 stem, three stages of 64/128/256 channels."""
    layers = [nn.Conv2d(3, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    c = width
    for stage, channels in enumerate([width, 2 * width, 4 * width]):
        for i in range(blocks_per_stage):
            layers.append(BottleneckBlock(c, channels, 2 if stage > 0 and i == 0 else 1, rezero))
            c = channels
    return nn.Sequential(*layers, head(c, classes))


def dense_residual_net(rezero, classes, units=256, blocks=2, side=24):
    """Exercise 3's fully connected residual network (@aa/rezero's denseResidualNet): flatten, linear to 256, BN,
    ReLU, two dense residual blocks, linear."""
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * side * side, units), nn.BatchNorm1d(units), nn.ReLU(),
                         *[DenseBlock(units, rezero) for _ in range(blocks)], nn.Linear(units, classes))


def _peer(bench, build, shift=False, mixup=None, manifold=None, dataset=None, note=''):
    return dict(bench=bench, build=build, shift=shift, mixup=mixup, manifold=manifold, dataset=dataset, note=note)


# name -> the aa-bench model(s) it is the peer of (experiment/key), how to build it for `classes`, and how it trains.
# `dataset` fixes the data set (exercise 6's two models); None takes --dataset (exercise 3's run on either).
MODELS = {
    'normal': _peer(['shift/plain', 'residual/cnn'], lambda k: chapter_cnn('max', k), shift=True),
    'aa': _peer(['shift/aa'], lambda k: chapter_cnn('maxblur_chapter', k), shift=True,
                note="the chapter's code: its blur filter is binom.pmf(range(3), 3), not the normalised one"),
    'aa_fixed': _peer(['shift/aa'], lambda k: chapter_cnn('maxblur', k), shift=True,
                      note="the normalised binomial filter, the bench's MaxBlurPool2D exactly"),
    'resnet': _peer(['residual/resnet'], lambda k: chapter_resnet(False, k)),
    'rezero': _peer(['residual/rezero'], lambda k: chapter_resnet(True, k)),
    'rezero_mixup': _peer(['mixup/rezero_mixup'], lambda k: chapter_resnet(True, k), mixup=0.25),
    'strided': _peer(['exercise2/strided'], lambda k: chapter_cnn('strided', k), shift=True),
    'aa_strided': _peer(['exercise2/aa_strided'], lambda k: chapter_cnn('aastrided', k), shift=True),
    'avg': _peer(['exercise2/avg'], lambda k: chapter_cnn('avg', k), shift=True),
    'blurpool': _peer(['exercise2/blurpool'], lambda k: chapter_cnn('blurpool', k), shift=True),
    'bottleneck_plain': _peer(['exercise3/bottleneck_plain'], lambda k: bottleneck_resnet(False, k)),
    'bottleneck_rezero': _peer(['exercise3/bottleneck_rezero'], lambda k: bottleneck_resnet(True, k)),
    'dense_plain': _peer(['exercise3/dense_plain'], lambda k: dense_residual_net(False, k)),
    'dense_rezero': _peer(['exercise3/dense_rezero'], lambda k: dense_residual_net(True, k)),
    'deep_plain': _peer(['exercise4/deep_plain'], lambda k: chapter_resnet(False, k, blocks_per_stage=18)),
    'deep_rezero': _peer(['exercise4/deep_rezero'], lambda k: chapter_resnet(True, k, blocks_per_stage=18)),
    'rezero_aa': _peer(['exercise5/rezero_aa'], lambda k: chapter_resnet(True, k, downsample=True)),
    'manifold_10': _peer(['exercise6/manifold_10'], lambda k: chapter_resnet(True, k), manifold=2.0, dataset='cifar10'),
    'manifold_100': _peer(['exercise6/manifold_100'], lambda k: chapter_resnet(True, k), manifold=2.0, dataset='cifar100'),
}


def count_params(model):
    """Trainable parameters, as @aa/rezero's countTrainableParams counts the tfjs models."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
