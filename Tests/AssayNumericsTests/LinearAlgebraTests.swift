import AssayNumerics
import Foundation
import Testing

/// Loads the fixtures written by `scripts/fixtures/numerics_linalg.py` (`Fixtures/linalg_*.json`).
enum LinalgFixture {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try Fixture.load(name, as: type)
    }

    /// A matrix or tensor as the script writes it: a shape and row-major float64 data.
    struct Matrix: Decodable {
        let shape: [Int]
        let data: [Double]
        var double: Tensor<Double> { get throws { try Tensor(shape: shape, scalars: data) } }
        /// The data rounded to Float (exact for values the script wrote from float32).
        var float: Tensor<Float> { get throws { try Tensor(shape: shape, scalars: data.map { Float($0) }) } }
    }

    /// Versions the fixture script recorded.
    struct Generator: Decodable {
        let script: String
        let python: String
        let numpy: String
        let scipy: String
        let scikitLearn: String
        enum CodingKeys: String, CodingKey {
            case script, python, numpy, scipy
            case scikitLearn = "scikit-learn"
        }
    }

    static func double(_ hex: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double {
        guard let bits = UInt64(hex, radix: 16) else {
            Issue.record("not hex: \(hex)", sourceLocation: sourceLocation)
            return .nan
        }
        return Double(bitPattern: bits)
    }

    static func float(_ hex: String, sourceLocation: SourceLocation = #_sourceLocation) -> Float {
        guard let bits = UInt32(hex, radix: 16) else {
            Issue.record("not hex: \(hex)", sourceLocation: sourceLocation)
            return .nan
        }
        return Float(bitPattern: bits)
    }

    /// Whether `a` and `b` agree within `tolerance` relative to `scale` (or 1, if larger).
    static func close(_ a: Double, _ b: Double, tolerance: Double, scale: Double = 0) -> Bool {
        abs(a - b) <= tolerance * max(abs(b), scale, 1e-300)
    }
}

/// Helpers shared by the linear-algebra, PCA, distance, UAE and pool tests.
enum Linalg {
    /// A random matrix of standard normal values from the seeded generator.
    static func randomMatrix<S: BinaryFloatingPoint>(_ rows: Int, _ columns: Int, seed: UInt64, as _: S.Type = S.self) -> Tensor<S> {
        var rng = SeededGenerator(seed: seed).child("test.matrix")
        let values = (0..<(rows * columns)).map { _ in S(rng.normal()) }
        // Cannot fail: the count matches the shape.
        return (try? Tensor(shape: [rows, columns], scalars: values)) ?? Tensor(zeros: [rows, columns])
    }

    /// The naive triple loop, summing in index order from +0: the order `matmul` promises.
    static func naiveProduct<S: BinaryFloatingPoint>(_ a: Tensor<S>, _ b: Tensor<S>) -> [S] {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        var out = [S](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: S = 0
                for t in 0..<k { s += a.scalars[i * k + t] * b.scalars[t * n + j] }
                out[i * n + j] = s
            }
        }
        return out
    }

    /// The bit patterns, to compare results exactly (`-0` and `+0` differ; NaNs compare).
    static func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }
    static func bits(_ xs: [Float]) -> [UInt32] { xs.map(\.bitPattern) }
}

struct MatrixMultiplyTests {
    struct File: Decodable {
        let generator: LinalgFixture.Generator
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let a: LinalgFixture.Matrix
        let b: LinalgFixture.Matrix
        let exactDouble: [String]
        let exactFloat: [String]
        let numpy: [Double]
        enum CodingKeys: String, CodingKey {
            case name, a, b, numpy
            case exactDouble = "exact_double"
            case exactFloat = "exact_float"
        }
    }

    @Test func matchesTheInOrderFixtureBitForBit() throws {
        let file = try LinalgFixture.load("linalg_matmul", as: File.self)
        #expect(file.cases.count == 3)
        for c in file.cases {
            let d = try c.a.double.matmul(c.b.double)
            #expect(d.shape == [c.a.shape[0], c.b.shape[1]])
            #expect(Linalg.bits(d.scalars) == c.exactDouble.map { LinalgFixture.double($0).bitPattern }, "\(c.name)")
            let f = try c.a.float.matmul(c.b.float)
            #expect(Linalg.bits(f.scalars) == c.exactFloat.map { LinalgFixture.float($0).bitPattern }, "\(c.name)")
            // Against BLAS only to a tolerance: it sums in another order.
            for (x, y) in zip(d.scalars, c.numpy) {
                #expect(LinalgFixture.close(x, y, tolerance: 1e-12, scale: 1), "\(c.name): \(x) vs \(y)")
            }
        }
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 2), (33, 129, 7), (64, 300, 257), (0, 4, 3), (4, 0, 3), (5, 3, 0)])
    func equalsTheNaiveLoopBitForBit(_ dims: (Int, Int, Int)) throws {
        let (m, k, n) = dims
        let a = Linalg.randomMatrix(m, k, seed: 1, as: Double.self), b = Linalg.randomMatrix(k, n, seed: 2, as: Double.self)
        #expect(Linalg.bits(try a.matmul(b).scalars) == Linalg.bits(Linalg.naiveProduct(a, b)))
        let af = Linalg.randomMatrix(m, k, seed: 3, as: Float.self), bf = Linalg.randomMatrix(k, n, seed: 4, as: Float.self)
        try BlockPool.withPool(threadCount: 3) { pool throws in
            #expect(Linalg.bits(try af.matmul(bf, pool: pool).scalars) == Linalg.bits(Linalg.naiveProduct(af, bf)))
        }
    }

    @Test func transposedProductAndTranspose() throws {
        let a = Linalg.randomMatrix(37, 11, seed: 5, as: Double.self), b = Linalg.randomMatrix(19, 11, seed: 6, as: Double.self)
        let bt = try b.transposed()
        #expect(bt.shape == [11, 19])
        #expect(bt[3, 7] == b[7, 3])
        #expect(try bt.transposed() == b)
        #expect(try a.matmulTransposed(b) == a.matmul(bt))
    }

    @Test func rejectsMismatchedShapes() throws {
        let a = Linalg.randomMatrix(2, 3, seed: 7, as: Double.self)
        #expect(throws: NumericsError.self) { try a.matmul(a) }
        #expect(throws: NumericsError.self) { try a.matmulTransposed(Linalg.randomMatrix(2, 4, seed: 8)) }
        #expect(throws: NumericsError.self) { try Tensor<Double>(zeros: [2, 2, 2]).matmul(a) }
        #expect(throws: NumericsError.self) { try Tensor<Double>(zeros: [4]).transposed() }
    }

    @Test func rowSquaredNormsSumInOrder() throws {
        let x = try Linalg.randomMatrix(50, 12, seed: 9, as: Float.self).reshaped([50, 3, 4])
        let norms = x.rowSquaredNorms()
        #expect(norms.count == 50)
        for i in 0..<50 {
            var s: Float = 0
            for v in x.row(i) { s += v * v }
            #expect(norms[i].bitPattern == s.bitPattern)
        }
        try BlockPool.withPool(threadCount: 2) { pool throws in
            #expect(Linalg.bits(x.rowSquaredNorms(pool: pool)) == Linalg.bits(norms))
        }
    }
}

struct SymmetricEigendecompositionTests {
    struct File: Decodable {
        let generator: LinalgFixture.Generator
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let matrix: LinalgFixture.Matrix
        let eigenvalues: [Double]
        let eigenvectors: LinalgFixture.Matrix
    }

    @Test func matchesLAPACK() throws {
        let file = try LinalgFixture.load("linalg_eigen", as: File.self)
        #expect(file.cases.count == 4)
        for c in file.cases {
            let e = try SymmetricEigendecomposition(c.matrix.double)
            let n = c.eigenvalues.count
            let scale = c.eigenvalues.map(abs).max() ?? 1
            for (x, y) in zip(e.eigenvalues, c.eigenvalues) {
                #expect(abs(x - y) <= 1e-12 * scale, "\(c.name): eigenvalue \(x) vs \(y)")
            }
            // Eigenvectors up to sign (both sides are sign-normalised, but a near tie in the
            // largest component could flip one), to 1e-9: their error grows as 1/gap.
            let theirs = try c.eigenvectors.double
            for i in 0..<n {
                let ours = Array(e.eigenvectors.row(i)), ref = Array(theirs.row(i))
                let same = zip(ours, ref).map { abs($0 - $1) }.max() ?? 0
                let flipped = zip(ours, ref).map { abs($0 + $1) }.max() ?? 0
                #expect(min(same, flipped) <= 1e-9, "\(c.name): eigenvector \(i) differs by \(min(same, flipped))")
            }
        }
    }

    @Test(arguments: [1, 2, 7, 30])
    func isAnOrthonormalSortedSignedDecomposition(_ n: Int) throws {
        let q = Linalg.randomMatrix(n, n, seed: UInt64(100 + n), as: Double.self)
        let a = try q.matmul(q.transposed())  // symmetric positive semi-definite
        let e = try SymmetricEigendecomposition(a)
        #expect(e.eigenvalues == e.eigenvalues.sorted(by: >))
        let v = e.eigenvectors
        let gram = try v.matmulTransposed(v)
        let av = try a.matmulTransposed(v)  // column i = A·vᵢ
        let scale = max(1, e.eigenvalues.first ?? 1)
        for i in 0..<n {
            for j in 0..<n { #expect(abs(gram[i, j] - (i == j ? 1 : 0)) <= 1e-13 * Double(n)) }
            for r in 0..<n { #expect(abs(av[r, i] - e.eigenvalues[i] * v[i, r]) <= 1e-12 * scale) }
            let row = Array(v.row(i))
            let big = row.indices.max { abs(row[$0]) < abs(row[$1]) || (abs(row[$0]) == abs(row[$1]) && $0 > $1) } ?? 0
            #expect(row[big] > 0)
        }
        // Same input, same bits.
        #expect(try SymmetricEigendecomposition(a) == e)
    }

    @Test func diagonalAndTwoByTwo() throws {
        let d = try SymmetricEigendecomposition(Tensor(rows: [[1, 0, 0], [0, 5, 0], [0, 0, -2]]))
        #expect(d.eigenvalues == [5, 1, -2])
        #expect(d.eigenvectors.scalars == [0, 1, 0, 1, 0, 0, 0, 0, 1])
        #expect(d.sweeps == 0)
        let e = try SymmetricEigendecomposition(Tensor(rows: [[2, 1], [1, 2]]))
        #expect(abs(e.eigenvalues[0] - 3) < 1e-15 && abs(e.eigenvalues[1] - 1) < 1e-15)
        #expect(abs(e.eigenvectors[0, 0] - 0.5.squareRoot()) < 1e-15)
        #expect(abs(e.eigenvectors[0, 1] - 0.5.squareRoot()) < 1e-15)
        let empty = try SymmetricEigendecomposition(Tensor<Double>(zeros: [0, 0]))
        #expect(empty.eigenvalues.isEmpty)
    }

    @Test func rejectsBadInput() throws {
        #expect(throws: NumericsError.self) { try SymmetricEigendecomposition(Tensor<Double>(zeros: [2, 3])) }
        #expect(throws: NumericsError.nonFinite(where: "matrix entry (0, 1)")) {
            try SymmetricEigendecomposition(Tensor(rows: [[1, .nan], [.nan, 1]]))
        }
    }
}

struct CholeskyFactorizationTests {
    @Test func solvesAndInverts() throws {
        let n = 12
        let q = Linalg.randomMatrix(n, n, seed: 21, as: Double.self)
        var a = try q.matmul(q.transposed())
        for i in 0..<n { a[i, i] += 1 }
        let chol = try CholeskyFactorization(a)
        #expect(chol.order == n)
        for i in 0..<n { for j in (i + 1)..<n { #expect(chol.lower[i, j] == 0) } }
        let llt = try chol.lower.matmulTransposed(chol.lower)
        for (x, y) in zip(llt.scalars, a.scalars) { #expect(abs(x - y) <= 1e-12 * 30) }

        let b = (0..<n).map { Double($0) - 4.5 }
        let x = try chol.solve(b)
        let ax = try a.matmul(Tensor(shape: [n, 1], scalars: x))
        for i in 0..<n { #expect(abs(ax.scalars[i] - b[i]) <= 1e-10) }
        let bMatrix = try Tensor(shape: [n, 1], scalars: b)
        #expect(try chol.solve(bMatrix).scalars == x)

        let product = try a.matmul(chol.inverse())
        for i in 0..<n { for j in 0..<n { #expect(abs(product[i, j] - (i == j ? 1 : 0)) <= 1e-10) } }

        let eigen = try SymmetricEigendecomposition(a)
        let logDet = eigen.eigenvalues.reduce(0) { $0 + DeterministicMath.log($1) }
        #expect(abs(chol.logDeterminant - logDet) <= 1e-10 * abs(logDet))
    }

    @Test func rejectsMatricesThatAreNotPositiveDefinite() throws {
        #expect(throws: NumericsError.self) { try CholeskyFactorization(Tensor(rows: [[1, 2], [2, 1]])) }
        #expect(throws: NumericsError.self) { try CholeskyFactorization(Tensor(rows: [[0, 0], [0, 1]])) }
        #expect(throws: NumericsError.self) { try CholeskyFactorization(Tensor<Double>(zeros: [2, 3])) }
        #expect(throws: NumericsError.self) { try CholeskyFactorization(Tensor(rows: [[1, 0], [.infinity, 1]])) }
        let chol = try CholeskyFactorization(Tensor(rows: [[4, 2], [2, 3]]))
        #expect(throws: NumericsError.self) { try chol.solve([1, 2, 3]) }
        #expect(try chol.solve([2, 1]) == [0.5, 0])
    }
}
