import AssayNumerics
import Testing

/// Invariants of ``SeededGenerator`` that hold for every seed and path.
struct SeededGeneratorPropertyTests {
    @Test func sameSeedAndPathGiveTheSameStream() {
        var a = SeededGenerator(seed: 7, path: ["x", "y"])
        var b = SeededGenerator(seed: 7).child("x").child("y")
        for _ in 0..<100 { #expect(a.next64() == b.next64()) }
    }

    @Test func copiesReplay() {
        var a = SeededGenerator(seed: 1)
        _ = a.next32()  // mid-block
        _ = a.normal()  // leaves a cached spare
        var b = a
        for _ in 0..<50 {
            #expect(a.normal().bitPattern == b.normal().bitPattern)
            #expect(a.next32() == b.next32())
        }
    }

    @Test func childIgnoresConsumption() {
        let fresh = SeededGenerator(seed: 9)
        var used = fresh
        for _ in 0..<13 { _ = used.next32() }
        var c1 = fresh.child("k"), c2 = used.child("k")
        for _ in 0..<20 { #expect(c1.next64() == c2.next64()) }
        #expect(used.child("k").path == ["k"])
        #expect(used.seed == 9)
    }

    @Test func pathsAreUnambiguous() {
        let keys: [SIMD2<UInt32>] = [
            SeededGenerator(seed: 3).key,
            SeededGenerator(seed: 3, path: [""]).key,
            SeededGenerator(seed: 3, path: ["", ""]).key,
            SeededGenerator(seed: 3, path: ["ab"]).key,
            SeededGenerator(seed: 3, path: ["a", "b"]).key,
            SeededGenerator(seed: 3, path: ["a\u{0}b"]).key,
            SeededGenerator(seed: 3, path: ["b", "a"]).key,
            SeededGenerator(seed: 4, path: ["ab"]).key,
        ]
        for i in keys.indices {
            for j in keys.indices where j > i {
                #expect(keys[i] != keys[j], "paths \(i) and \(j) share a key")
            }
        }
    }

    @Test func derivationInputLayout() {
        let bytes = SeededGenerator.derivationInput(seed: 0x0102_0304_0506_0708, path: ["é", ""])
        let tag = Array("assay.rng.v1".utf8) + [0]
        let expected: [UInt8] = tag + [1, 2, 3, 4, 5, 6, 7, 8]
            + [0, 0, 0, 0, 0, 0, 0, 2, 0xc3, 0xa9]
            + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(bytes == expected)
    }

    /// next32 hands out the block words in order, then moves to the next counter.
    @Test func wordsComeFromConsecutiveBlocks() {
        var g = SeededGenerator(seed: 5, path: ["blocks"])
        let b0 = Philox4x32.block(counter: SIMD4(0, 0, 0, 0), key: g.key)
        let b1 = Philox4x32.block(counter: SIMD4(1, 0, 0, 0), key: g.key)
        let words = (0..<8).map { _ in g.next32() }
        #expect(words == [b0[0], b0[1], b0[2], b0[3], b1[0], b1[1], b1[2], b1[3]])
        var h = SeededGenerator(seed: 5, path: ["blocks"])
        #expect(h.next64() == UInt64(b0[0]) << 32 | UInt64(b0[1]))
        #expect(h.next() == UInt64(b0[2]) << 32 | UInt64(b0[3]))
    }

    @Test func uniformStaysInUnitInterval() {
        var g = SeededGenerator(seed: 11)
        for _ in 0..<10_000 {
            let u = g.uniform()
            #expect(u >= 0 && u < 1)
            #expect((u * 0x1p53).rounded(.towardZero) == u * 0x1p53)  // a multiple of 2^-53
        }
    }

    @Test func uniformInRanges() {
        var g = SeededGenerator(seed: 12)
        for _ in 0..<2_000 {
            let x = g.uniform(in: -3.0..<5.0)
            #expect(x >= -3 && x < 5)
            let y = g.uniform(in: 1.0...2.0)
            #expect(y >= 1 && y <= 2)
        }
        #expect(g.uniform(in: 4.0...4.0) == 4)
        // Width 1 and lower bound 0: exactly uniform().
        var a = SeededGenerator(seed: 13), b = a
        #expect(a.uniform(in: 0.0..<1.0) == b.uniform())
    }

    @Test func intBelowEdgeCases() {
        var g = SeededGenerator(seed: 14)
        for _ in 0..<100 { #expect(g.int(below: 1) == 0) }
        for _ in 0..<1_000 { #expect(g.int(below: 3) < 3) }
        for _ in 0..<1_000 { #expect(g.int(below: (1 << 63) + 1) <= 1 << 63) }
        // n = 2^64 - 1 is accepted; the product's high word is always below n.
        for _ in 0..<100 { #expect(g.int(below: .max) < .max) }
    }

    /// With n = 2^63 + 1, Lemire's method must reject about half of all 64-bit draws (plain
    /// multiply-shift would favour some values twice as much). 1 000 values should use about
    /// 2 000 draws (standard deviation about 45).
    @Test func lemireRejectsWhenItMust() {
        let start = SeededGenerator(seed: 15)
        var g = start
        for _ in 0..<1_000 { _ = g.int(below: (1 << 63) + 1) }
        func samePosition(_ x: SeededGenerator, _ y: SeededGenerator) -> Bool {
            var x = x, y = y
            return (0..<4).allSatisfy { _ in x.next64() == y.next64() }
        }
        var probe = start
        var draws = 0
        while !samePosition(probe, g) && draws < 10_000 {
            _ = probe.next64()
            draws += 1
        }
        #expect(draws > 1_800 && draws < 2_200, "\(draws) draws for 1 000 values")
    }

    @Test func intInRanges() {
        var g = SeededGenerator(seed: 16)
        for _ in 0..<1_000 {
            let x = g.int(in: -5..<5)
            #expect(x >= -5 && x < 5)
            let y = g.int(in: -2...2)
            #expect(y >= -2 && y <= 2)
        }
        for _ in 0..<100 {
            _ = g.int(in: Int.min...Int.max)  // full range must not trap
            let z = g.int(in: Int.min..<(Int.min + 2))
            #expect(z == Int.min || z == Int.min + 1)
            #expect(g.int(in: Int.max...Int.max) == Int.max)
        }
    }

    @Test func shuffleIsAPermutation() {
        var g = SeededGenerator(seed: 17)
        for n in [0, 1, 2, 3, 10, 257] {
            var a = Array(0..<n)
            g.shuffle(&a)
            #expect(a.sorted() == Array(0..<n))
        }
        var slice = Array(0..<20)[5..<15]
        g.shuffle(&slice)
        #expect(slice.sorted() == Array(5..<15))
    }

    /// All 3! orders of a 3-element shuffle occur, each about 1/6 of the time.
    @Test func shuffleCoversAllPermutations() {
        var g = SeededGenerator(seed: 18)
        var counts: [[Int]: Int] = [:]
        for _ in 0..<6_000 {
            var a = [0, 1, 2]
            g.shuffle(&a)
            counts[a, default: 0] += 1
        }
        #expect(counts.count == 6)
        for (perm, c) in counts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            #expect(c > 850 && c < 1_150, "\(perm): \(c)")
        }
    }

    @Test func sampleIsDistinctAndInRange() {
        var g = SeededGenerator(seed: 19)
        for (k, n) in [(0, 0), (0, 5), (1, 1), (5, 5), (5, 100), (100, 100), (10, 1 << 40)] {
            let s = g.sample(k: k, of: n)
            #expect(s.count == k)
            #expect(Set(s).count == k)
            #expect(s.allSatisfy { $0 >= 0 && $0 < n })
        }
        var h = SeededGenerator(seed: 20)
        #expect(h.sample(k: 10, of: 10).sorted() == Array(0..<10))
    }

    /// sample(k:of:) is the first k positions of a front-to-back Fisher–Yates over 0..<n.
    @Test func sampleMatchesArrayFisherYates() {
        let start = SeededGenerator(seed: 21)
        var a = start, b = start
        let sparse = a.sample(k: 30, of: 50)
        var values = Array(0..<50)
        for i in 0..<30 {
            let j = i + Int(b.int(below: UInt64(50 - i)))
            values.swapAt(i, j)
        }
        #expect(sparse == Array(values[0..<30]))
    }

    @Test func normalsAreFinite() {
        var g = SeededGenerator(seed: 22)
        for _ in 0..<10_000 { #expect(g.normal().isFinite) }
        var h = SeededGenerator(seed: 22), k = SeededGenerator(seed: 22)
        #expect(h.normal(mean: 3, standardDeviation: 2) == 3 + 2 * k.normal())
    }

    @Test func conformsToRandomNumberGenerator() {
        var a = SeededGenerator(seed: 23), b = a
        #expect(a.next() == b.next64())
    }
}
