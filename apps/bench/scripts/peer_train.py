"""The bench's training protocol in PyTorch, as the chapter trains: AdamW (lr 1e-3, weight decay 0.01) over every
parameter, cosine annealing over the epochs stepped once per epoch, batch 128, random 24x24 crops to train, the
centre crop to test, cross-entropy (MixUp's lam-weighted pair of them), and exercise 1's shift figures."""
import time

import numpy as np
import torch
import torch.nn.functional as F

from peer_data import to_float

CROP, SHIFTS, CENTRE = 24, 8, 4 * 8 + 4  # 24x24 crops of 32x32 images; 8x8 offsets; the centre crop is offset (4, 4)


def random_crops(x):
    """Each image's own random 24x24 window (offsets 0..8), the chapter's RandomCrop(24)."""
    b = x.shape[0]
    ar = torch.arange(CROP)
    top = torch.randint(0, 32 - CROP + 1, (b,))
    left = torch.randint(0, 32 - CROP + 1, (b,))
    rows = (top[:, None] + ar)[:, None, :, None]
    cols = (left[:, None] + ar)[:, None, None, :]
    return to_float(x[torch.arange(b)[:, None, None, None], torch.arange(x.shape[1])[None, :, None, None], rows, cols])


def centre(x):
    return to_float(x[:, :, 4:4 + CROP, 4:4 + CROP])


def evaluate(model, x, y, batch=1000):
    """Mean test loss and accuracy on the centre crops, in inference mode (BatchNorm's running statistics)."""
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            out = model(centre(x[i:i + batch]))
            loss += F.cross_entropy(out, y[i:i + batch], reduction='sum').item()
            correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(y), correct / len(y)


def mixed_loss(out, y, order, lam):
    return lam * F.cross_entropy(out, y) + (1 - lam) * F.cross_entropy(out, y[order])


def train(model, spec, data, epochs, batch, seed, on_epoch):
    """Trains `model` and calls `on_epoch(record)` after every epoch with the chapter14_reference.py record fields."""
    xtr, ytr, xte, yte = data
    beta = np.random.default_rng(seed)  # MixUp's lam and Manifold MixUp's boundary; torch's generator does the rest
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    n = len(ytr)
    history, t0 = [], time.time()
    for ep in range(epochs):
        model.train()
        started = time.time()
        perm = torch.randperm(n)
        total_loss, hits, seen, mixes = 0.0, 0, 0, bool(spec['mixup'] or spec['manifold'])
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = random_crops(xtr[idx]), ytr[idx]
            if spec['mixup']:
                # The chapter's collator: one lam ~ Beta(a, a) per batch, partners by a random permutation.
                lam = float(beta.beta(spec['mixup'], spec['mixup']))
                order = torch.randperm(len(idx))
                out = model(lam * xb + (1 - lam) * xb[order])
                loss = mixed_loss(out, yb, order, lam)
            elif spec['manifold']:
                # Manifold MixUp (exercise 6): mix at the input or after one of the four stages, picked uniformly.
                boundary = int(beta.integers(0, len(model.segments)))
                lam = float(beta.beta(spec['manifold'], spec['manifold']))
                order = torch.randperm(len(idx))
                h = model.run(xb, 0, boundary)
                out = model.run(lam * h + (1 - lam) * h[order], boundary)
                loss = mixed_loss(out, yb, order, lam)
            else:
                out = model(xb)
                loss = F.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idx)
            seen += len(idx)
            if not mixes:
                hits += (out.argmax(1) == yb).sum().item()
        lr = sched.get_last_lr()[0]
        sched.step()
        train_s = time.time() - started
        test_loss, test_acc = evaluate(model, xte, yte)
        record = dict(epoch=ep, train_s=train_s, total_s=time.time() - t0, lr=lr, train_loss=total_loss / seen,
                      train_acc=None if mixes else hits / seen, test_loss=test_loss, test_acc=test_acc)
        history.append(record)
        on_epoch(record, history)
    return history


def crop_probabilities(model, x, y):
    """Correct-class probability and predicted class of the 64 crops (k = top*8 + left) of each image: [n, 64] each."""
    probs, preds = [], []
    with torch.no_grad():
        for top in range(SHIFTS):
            for left in range(SHIFTS):
                p = F.softmax(model(to_float(x[:, :, top:top + CROP, left:left + CROP])), -1)
                probs.append(p.gather(1, y[:, None])[:, 0])
                preds.append(p.argmax(1))
    return torch.stack(probs, 1), torch.stack(preds, 1)


def shift_metrics(model, x, y, image=None, batch=250):
    """Exercise 1 over the test images, as aa-bench measures it (apps/bench/src/training/shiftMetrics.ts): median of the
    per-image population std of P(correct) over the 64 crops, agreement with the centre crop's class, accuracy over all
    crops, and Zhang's consistency (two different crops get the same class), exact over all crop pairs."""
    model.eval()
    stds, agree, acc, consistency = [], [], [], []
    for i in range(0, len(y), batch):
        p, q = crop_probabilities(model, x[i:i + batch], y[i:i + batch])
        stds.append(p.std(1, unbiased=False))
        agree.append((q == q[:, CENTRE:CENTRE + 1]).float().mean(1))
        acc.append((q == y[i:i + batch, None]).float().mean(1))
        counts = F.one_hot(q, int(q.max()) + 1).sum(1).double()  # [n, classes]: crops per predicted class
        consistency.append((counts * (counts - 1)).sum(1) / (SHIFTS ** 2 * (SHIFTS ** 2 - 1)))
    s = torch.cat(stds)
    out = dict(median_std_correct_prob=float(np.median(s.numpy())), mean_std_correct_prob=s.mean().item(),
               agreement_with_center=torch.cat(agree).mean().item(), accuracy_over_64_shifts=torch.cat(acc).mean().item(),
               consistency=torch.cat(consistency).mean().item(), images=len(y))
    if image is not None:
        index, xi, yi = image
        out['image_id'] = index
        out['image_probs'] = crop_probabilities(model, xi, yi)[0][0].tolist()
    return out

