#!/usr/bin/env python3
"""Writes test/fixtures/rng-reference.json: reference outputs of the shared @aa generator, written here
from the algorithms' definitions (sfc32 of Chris Doty-Humphrey's PractRand, seeded by four splitmix32
outputs, then 12 outputs discarded), independently of the TypeScript code.

Also the Fisher-Yates shuffles that follow from it (j uniform in 0..i by 32-bit rejection sampling), and
the shuffled order of dataLoader's epochs (each seeded by a splitmix32-style mix of seed and epoch).
Usage: python3 scripts/make-rng-fixture.py
"""
import json, os

M = 0xFFFFFFFF


def splitmix32(x):
    while True:
        x = (x + 0x9E3779B9) & M
        z = x
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M
        yield (z ^ (z >> 16)) & M


class Sfc32:
    def __init__(self, seed):
        # The seed's low 32 bits xor its next 32 bits (JavaScript's ToInt32 of floor(seed) and floor(seed / 2^32)).
        x = ((seed % 2**32) ^ ((seed // 2**32) % 2**32)) & M
        g = splitmix32(x)
        self.s = [next(g) for _ in range(4)]
        for _ in range(12):
            self.u32()

    def u32(self):
        a, b, c, d = self.s
        t = (a + b + d) & M
        self.s = [b ^ (b >> 9), (c + (c << 3)) & M, (((c << 21) | (c >> 11)) + t) & M, (d + 1) & M]
        return t

    def int(self, n):
        limit = 2**32 - 2**32 % n
        while True:
            u = self.u32()
            if u < limit:
                return u % n


def shuffle(n, rng):
    a = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.int(i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def derive_seed(seed, stream):
    h = (seed % 2**32) ^ (((stream + 1) * 0x9E3779B9) & M)
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & M
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & M
    return (h ^ (h >> 16)) & M


out = {'u32': {}, 'state': {}}
for seed in [0, 1, 42, -1, 2**32 + 5, 123456789]:
    r = Sfc32(seed)
    out['state'][str(seed)] = list(r.s)
    out['u32'][str(seed)] = [r.u32() for _ in range(5)]
out['shuffle10Seed7'] = shuffle(10, Sfc32(7))
out['loaderSeed123'] = {str(e): shuffle(10, Sfc32(derive_seed(123, e))) for e in range(3)}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'rng-reference.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
print(json.dumps(out)[:400])
