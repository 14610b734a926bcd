extension SeededGenerator {
    /// Shuffles `elements` in place with the Fisher–Yates algorithm, from the end.
    ///
    /// For `i` from `count − 1` down to 1: `j = int(below: i + 1)`, then swap the elements at
    /// offsets `i` and `j`. Draws `count − 1` integers (none for 0 or 1 elements), even when
    /// `j == i`. Every permutation is equally likely.
    /// - Complexity: O(*n*).
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(
        _ elements: inout C
    ) {
        let n = elements.count
        guard n > 1 else { return }
        var i = n - 1
        while i > 0 {
            let j = Int(int(below: UInt64(i + 1)))
            if i != j {
                elements.swapAt(
                    elements.index(elements.startIndex, offsetBy: i),
                    elements.index(elements.startIndex, offsetBy: j))
            }
            i -= 1
        }
    }

    /// Returns `k` distinct integers drawn uniformly without replacement from `0..<n`.
    ///
    /// A partial Fisher–Yates shuffle of the virtual array `[0, 1, …, n − 1]`, from the front:
    /// for `i` in `0..<k`, `j = i + int(below: n − i)`, swap positions `i` and `j`, and emit the
    /// value now at position `i`. The result is in **selection order**, not sorted: element 0 is
    /// the first draw. Sort it if you need a set. Draws exactly `k` integers.
    /// Preconditions: `0 <= k <= n`.
    /// - Complexity: O(*k*) time and memory, whatever `n` (swapped positions are kept in a
    ///   dictionary that is only looked up, never iterated, so its order cannot leak).
    public mutating func sample(k: Int, of n: Int) -> [Int] {
        precondition(n >= 0 && k >= 0 && k <= n, "sample(k:of:) needs 0 <= k <= n")
        var displaced: [Int: Int] = [:]
        displaced.reserveCapacity(k)
        var result: [Int] = []
        result.reserveCapacity(k)
        for i in 0..<k {
            let j = i + Int(int(below: UInt64(n - i)))
            let atJ = displaced[j] ?? j
            let atI = displaced[i] ?? i
            result.append(atJ)
            displaced[j] = atI
        }
        return result
    }
}
