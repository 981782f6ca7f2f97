"""Swift's fold draw in Python: `CrossValidation(folds:seed:).assignFolds(labels:)` of VisageHeads
(SplitMix64 `SeededGenerator`, the standard library's `shuffle(using:)` and `next(upperBound:)`),
so that a Python prototype scores exactly the folds `visage eval attributes --seed S` scores.
"""
M64 = (1 << 64) - 1


class SeededGenerator:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, bound):
        """`next(upperBound:)`: Lemire's multiply-shift with rejection."""
        m = self.next() * bound
        if m & M64 < bound:
            t = ((1 << 64) - bound) % bound
            while m & M64 < t:
                m = self.next() * bound
        return m >> 64


def shuffled(items, generator):
    """`MutableCollection.shuffle(using:)`: forward Fisher-Yates."""
    items = list(items)
    amount, i = len(items), 0
    while amount > 1:
        r = generator.below(amount)
        amount -= 1
        items[i], items[i + r] = items[i + r], items[i]
        i += 1
    return items


def assign_folds(labels, folds, seed):
    labels = [int(v) for v in labels]
    k = max(1, min(folds, len(labels)))
    generator = SeededGenerator(seed)
    fold, nxt = [0] * len(labels), 0
    for label in sorted(set(labels)):
        for index in shuffled([i for i, v in enumerate(labels) if v == label], generator):
            fold[index] = nxt % k
            nxt += 1
    return fold


if __name__ == "__main__":
    labels = [1 if (i * 7) % 9 == 0 else 0 for i in range(50)]
    for seed in (1, 2, 17):
        print(" ".join(map(str, assign_folds(labels, 5, seed))))
