import Testing
import AssayNumerics

@Suite struct RadixSortTests {
    @Test(arguments: [0, 1, 63, 64, 65, 1000, 10_007])
    func agreesWithSorted(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        var values: [Double] = (0..<count).map { i in
            switch i % 7 {
            case 0: return rng.normal() * 1e300
            case 1: return Double(rng.int(in: -5..<5))        // many ties, both signs
            case 2: return rng.uniform() * 1e-310              // subnormals
            case 3: return -rng.uniform()
            case 4: return i % 14 == 4 ? .infinity : -.infinity
            default: return rng.normal()
            }
        }
        if count > 10 { values[3] = 0.0; values[5] = -0.0 }
        let radix = RadixSort.sortedAscending(values)
        let reference = values.sorted()
        #expect(radix.count == reference.count)
        // Equal as numbers, position by position (±0 may swap: they compare equal).
        #expect(zip(radix, reference).allSatisfy { $0 == $1 }, "count \(count)")
    }
}
