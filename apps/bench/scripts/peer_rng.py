"""The @aa packages' seedable generator (sfc32 seeded by splitmix32) in Python, bit for bit.

The PyTorch peers use it for one thing only: picking the same train/test subsets as aa-bench
(`subset()` in apps/bench/src/data.ts, `shuffleInPlace` and `randomInt` of @aa/cifar-data), so both
sides train and test on the same images. Training randomness (weights, shuffles, crops, MixUp) is
PyTorch's own, seeded with --seed.
"""

MASK = 0xFFFFFFFF
TWO_32 = 1 << 32


def _imul(a, b):
    return (a * b) & MASK


class Sfc32:
    """sfc32 whose four-word state comes from splitmix32 of the seed, then 12 discarded outputs."""

    def __init__(self, seed):
        x = (int(seed) ^ (int(seed) // TWO_32)) & MASK

        def splitmix():
            nonlocal x
            x = (x + 0x9E3779B9) & MASK
            z = x
            z = _imul(z ^ (z >> 16), 0x85EBCA6B)
            z = _imul(z ^ (z >> 13), 0xC2B2AE35)
            return (z ^ (z >> 16)) & MASK

        self.s = [splitmix(), splitmix(), splitmix(), splitmix()]
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self):
        a, b, c, d = self.s
        t = (a + b + d) & MASK
        self.s = [
            b ^ (b >> 9),
            (c + (c << 3)) & MASK,
            ((((c << 21) | (c >> 11)) & MASK) + t) & MASK,
            (d + 1) & MASK,
        ]
        return t

    def random(self):
        return self.next_uint32() / TWO_32


def random_int(rng, n):
    """Uniform integer in [0, n) by rejection on 32 bits, as @aa/cifar-data's randomInt."""
    limit = TWO_32 - (TWO_32 % n)
    while True:
        v = rng.next_uint32()
        if v < limit:
            return v % n


def shuffle_in_place(items, rng):
    """Fisher-Yates from the end, as @aa/cifar-data's shuffleInPlace."""
    for i in range(len(items) - 1, 0, -1):
        j = random_int(rng, i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def subset_indices(count, n, seed):
    """Indices aa-bench's `subset(set, n, seed)` keeps, in their original order (all of them when n >= count)."""
    if n >= count:
        return list(range(count))
    order = shuffle_in_place(list(range(count)), Sfc32(seed))
    return sorted(order[:n])
