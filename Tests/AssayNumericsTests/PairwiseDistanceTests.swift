import AssayNumerics
import Testing

/// ``PairwiseDistances``: the clamped expansion of spec §3.1, bit for bit against an independent
/// in-order Python implementation, and the same bits with any pool size.
struct PairwiseDistanceTests {
    struct File: Decodable {
        let generator: LinalgFixture.Generator
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let x: LinalgFixture.Matrix
        let y: LinalgFixture.Matrix
        let exactDouble: [String]
        let exactFloat: [String]
        let directFloat64: [Double]
        enum CodingKeys: String, CodingKey {
            case name, x, y
            case exactDouble = "exact_double"
            case exactFloat = "exact_float"
            case directFloat64 = "direct_float64"
        }
    }

    /// The expansion written out naively, in the documented order.
    func naiveExpansion<S: BinaryFloatingPoint>(_ x: Tensor<S>, _ y: Tensor<S>) -> [S] {
        func dot(_ a: ArraySlice<S>, _ b: ArraySlice<S>) -> S {
            var s: S = 0
            for (u, v) in zip(a, b) { s += u * v }
            return s
        }
        var out: [S] = []
        for i in 0..<x.rowCount {
            for j in 0..<y.rowCount {
                let v = (dot(x.row(i), x.row(i)) + dot(y.row(j), y.row(j))) - 2 * dot(x.row(i), y.row(j))
                out.append(max(v, S(PairwiseDistances.minimumSquaredDistance)))
            }
        }
        return out
    }

    @Test func matchesTheFixtureBitForBit() throws {
        let file = try LinalgFixture.load("linalg_distances", as: File.self)
        #expect(file.cases.count == 2)
        for c in file.cases {
            let d = try PairwiseDistances.squaredEuclidean(c.x.double, c.y.double)
            #expect(d.shape == [c.x.shape[0], c.y.shape[0]])
            #expect(Linalg.bits(d.scalars) == c.exactDouble.map { LinalgFixture.double($0).bitPattern }, "\(c.name)")
            let f = try PairwiseDistances.squaredEuclidean(c.x.float, c.y.float)
            #expect(Linalg.bits(f.scalars) == c.exactFloat.map { LinalgFixture.float($0).bitPattern }, "\(c.name)")
            for (ours, direct) in zip(d.scalars, c.directFloat64) {
                #expect(abs(ours - direct) <= 1e-9 * (1 + direct), "\(c.name): \(ours) vs \(direct)")
            }
            // Row 0 of y equals row 0 of x: the expansion cancels exactly and is clamped.
            #expect(d[0, 0] == 1e-30)
            #expect(f[0, 0] == Float(PairwiseDistances.minimumSquaredDistance))
        }
    }

    @Test func equalsTheNaiveExpansion() throws {
        let x = Linalg.randomMatrix(45, 17, seed: 31, as: Float.self), y = Linalg.randomMatrix(38, 17, seed: 32, as: Float.self)
        #expect(Linalg.bits(try PairwiseDistances.squaredEuclidean(x, y).scalars) == Linalg.bits(naiveExpansion(x, y)))
        let xd = Linalg.randomMatrix(45, 17, seed: 33, as: Double.self)
        let self_ = try PairwiseDistances.squaredEuclidean(xd, xd)
        #expect(Linalg.bits(self_.scalars) == Linalg.bits(naiveExpansion(xd, xd)))
        for i in 0..<45 { #expect(self_[i, i] == 1e-30) }
        let tiny = try Tensor<Double>(rows: [[0, 0], [3, 4]])
        #expect(try PairwiseDistances.squaredEuclidean(tiny, tiny).scalars == [1e-30, 25, 25, 1e-30])
    }

    @Test func flattensRowsAndChecksWidths() throws {
        let images = try Linalg.randomMatrix(6, 12, seed: 34, as: Float.self).reshaped([6, 2, 3, 2])
        let flat = images.rowMatrix()
        #expect(try PairwiseDistances.squaredEuclidean(images, images) == PairwiseDistances.squaredEuclidean(flat, flat))
        #expect(throws: NumericsError.self) {
            try PairwiseDistances.squaredEuclidean(flat, Linalg.randomMatrix(2, 11, seed: 35, as: Float.self))
        }
        let none = try PairwiseDistances.squaredEuclidean(Tensor<Float>(zeros: [0, 12]), flat)
        #expect(none.shape == [0, 6])
    }

    @Test func sameBitsWithOneTwoAndEightThreads() throws {
        let x = Linalg.randomMatrix(150, 40, seed: 36, as: Float.self), y = Linalg.randomMatrix(90, 40, seed: 37, as: Float.self)
        let serial = try PairwiseDistances.squaredEuclidean(x, y)
        for threads in [1, 2, 8] {
            let d = try BlockPool.withPool(threadCount: threads) { pool throws in
                try PairwiseDistances.squaredEuclidean(x, y, pool: pool)
            }
            #expect(Linalg.bits(d.scalars) == Linalg.bits(serial.scalars), "threads: \(threads)")
        }
    }
}
