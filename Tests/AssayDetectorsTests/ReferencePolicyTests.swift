import Testing
import AssayDetectors
import AssayNumerics

@Suite struct ReferencePolicyTests {
    func matrix(_ values: [Double]) throws -> Tensor<Double> { try Tensor(shape: [values.count, 1], scalars: values) }

    @Test func fixedKeepsTheReference() throws {
        var seen = 3, rng = SeededGenerator(seed: 1)
        let r = try ReferencePolicy.fixed.update(try matrix([1, 2, 3]), with: try matrix([4, 5]), seen: &seen, rng: &rng)
        #expect(r.scalars == [1, 2, 3])
        #expect(seen == 5)
    }

    @Test func lastKeepsTheNewestRows() throws {
        var seen = 3, rng = SeededGenerator(seed: 1)
        let r = try ReferencePolicy.last(4).update(try matrix([1, 2, 3]), with: try matrix([4, 5]), seen: &seen, rng: &rng)
        #expect(r.scalars == [2, 3, 4, 5])
        let all = try ReferencePolicy.last(10).update(try matrix([1]), with: try matrix([2]), seen: &seen, rng: &rng)
        #expect(all.scalars == [1, 2])
    }

    @Test func reservoirIsSeededAndUniform() throws {
        // Fills first, then keeps each of the 1000 rows seen with probability 10/1000.
        var counts = [Int](repeating: 0, count: 1000)
        for trial in 0..<400 {
            var seen = 0, rng = SeededGenerator(seed: UInt64(trial))
            var ref = try matrix([])
            for start in stride(from: 0, to: 1000, by: 100) {
                ref = try ReferencePolicy.reservoir(10).update(ref, with: try matrix((start..<(start + 100)).map(Double.init)), seen: &seen, rng: &rng)
            }
            #expect(ref.rowCount == 10)
            #expect(seen == 1000)
            for v in ref.scalars { counts[Int(v)] += 1 }
        }
        // 4000 kept rows over 1000 slots: 4 per row expected; every decile near 400.
        for decile in 0..<10 {
            let c = counts[(decile * 100)..<((decile + 1) * 100)].reduce(0, +)
            #expect(c > 300 && c < 500, "decile \(decile): \(c)")
        }
        // Same seed, same reservoir.
        var s1 = 0, r1 = SeededGenerator(seed: 9), s2 = 0, r2 = SeededGenerator(seed: 9)
        let batch = try matrix((0..<50).map(Double.init))
        #expect(try ReferencePolicy.reservoir(5).update(try matrix([]), with: batch, seen: &s1, rng: &r1)
                == ReferencePolicy.reservoir(5).update(try matrix([]), with: batch, seen: &s2, rng: &r2))
    }
}
