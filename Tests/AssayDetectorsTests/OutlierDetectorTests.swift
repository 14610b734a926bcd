import Foundation
import Testing
import AssayDetectors
import AssayNumerics

/// The outlier detectors against scripts/fixtures/detectors_outliers.py (Alibi Detect 0.13.0,
/// scikit-learn 1.9.1, SciPy, NumPy 1.26.4).
///
/// Tolerances:
/// - Mahalanobis: every score, threshold and final state entry within 1e-9 relative of Alibi's
///   (float64 on both sides; the differences come from Jacobi vs LAPACK eigenvectors and the
///   summation order of small matrix products); Alibi's zero scores must be exactly zero.
/// - kNN: within 1e-9 relative of SciPy's `cdist` (float64, same summation order: in practice
///   bit-equal).
/// - Isolation forest: statistical only, since scikit-learn draws from NumPy's generator. The
///   fixture holds scikit-learn's scores for random_state=0 and, over random_state 0…19, the
///   range and average of the summary statistics: Spearman against state 0 ≥ 0.964, mean
///   inlier score −0.0547…−0.0416 (state 0: −0.0518), mean outlier score 0.0590…0.0785 (state
///   0: 0.0733), AUC 0.907…0.933 (state 0: 0.931). One forest of ours must have Spearman > 0.9
///   against state 0, inlier and outlier means within 0.03 of state 0's and within 0.01 of
///   scikit-learn's range, and an AUC at least state 0's − 0.02. Averaged over 20 seeds (which
///   removes most of the seed-to-seed spread: the standard error of an average is about 0.001
///   for the means and 0.002 for the AUC), our means must lie within 0.005 and our AUC within
///   0.006 of scikit-learn's averages, which would expose a bias such as a depth off by one.
/// - `OutlierThreshold.percentile`: bit-equal to `numpy.percentile`.
@Suite struct OutlierDetectorTests {
    // MARK: Fixture

    /// A data spec: the LCG matrix of FixtureData.swift, then `mix`, `set` and `repeat_rows`.
    struct Spec: Decodable {
        var n: Int, d: Int, kind: String, seed: UInt64
        var shift: Double?, scale: Double?
        var mix: [[Double]]?
        var set: [[Double]]?
        var repeat_rows: [Int]?

        func matrix() -> Tensor<Double> {
            let base = DataSpec(n: n, d: d, kind: kind, seed: seed, shift: shift, scale: scale).matrix()
            var rows = (0..<n).map { Array(base.row($0)) }
            if let mix {
                rows = rows.map { z in
                    (0..<mix[0].count).map { j in
                        var s = 0.0
                        for l in 0..<d { s += z[l] * mix[l][j] }
                        return s
                    }
                }
            }
            for entry in set ?? [] { rows[Int(entry[0])][Int(entry[1])] = entry[2] }
            for r in repeat_rows ?? [] { rows.append(rows[r]) }
            return try! Tensor(rows: rows)
        }
    }

    struct MahalanobisCase: Decodable, CustomTestStringConvertible {
        struct Call: Decodable {
            var call: String
            var data: Spec
            var scores: [Double]
            var threshold_perc: Double?
            var threshold: Double?
            var is_outlier: [Int]?
        }
        struct State: Decodable { var n: Int; var mean: [Double]; var C: [Double]; var clip: [[Double]]? }
        struct Params: Decodable { var n_components: Int?; var std_clip: Double?; var start_clip: Int?; var max_n: Int? }
        var name: String
        var params: Params
        var calls: [Call]
        var final_state: State
        var testDescription: String { name }
    }

    struct IsolationForestFixture: Decodable {
        struct Spread: Decodable {
            struct Average: Decodable { var mean_inlier: Double; var mean_outlier: Double; var auc: Double }
            var min_spearman_vs_state_0: Double
            var mean_inlier: [Double]
            var mean_outlier: [Double]
            var auc: [Double]
            var average: Average
        }
        var average_path_length: [[Double]]
        var train: Spec, inliers: Spec, outliers: Spec
        var scores: [Double]
        var auc: Double
        var mean_inlier: Double
        var mean_outlier: Double
        var over_random_states_0_19: Spread
    }

    struct KNNCase: Decodable, CustomTestStringConvertible {
        var k: Int
        var reference: Spec
        var query: Spec
        var scores: [Double]
        var reference_scores: [Double]
        var testDescription: String { "k = \(k)" }
    }

    struct PercentileCase: Decodable, CustomTestStringConvertible {
        var values: [Double]
        var q: [Double]
        var percentiles: [Double]
        var testDescription: String { "\(values.count) values" }
    }

    struct File: Decodable {
        var mahalanobis: [MahalanobisCase]
        var isolation_forest: IsolationForestFixture
        var knn: [KNNCase]
        var percentile: [PercentileCase]
    }

    static let fixture: File? = try? loadFixture("outliers", as: File.self)

    @Test func fixtureLoaded() throws {
        let f = try #require(Self.fixture)
        #expect(f.mahalanobis.count == 6)
        #expect(f.knn.count == 3)
        #expect(f.percentile.count == 5)
    }

    /// `|a − b| ≤ tol·max(|a|, |b|)`, so zeros must be exactly zero.
    static func relativeError(_ a: Double, _ b: Double) -> Double {
        a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
    }

    // MARK: Mahalanobis

    @Test(arguments: fixture?.mahalanobis ?? [])
    func mahalanobisMatchesAlibi(_ c: MahalanobisCase) throws {
        var det = try MahalanobisOutlier(nComponents: c.params.n_components ?? 3, stdClip: c.params.std_clip ?? 3,
                                         startClip: c.params.start_clip ?? 100, maxN: c.params.max_n)
        var worst = 0.0
        for (index, call) in c.calls.enumerated() {
            let x = call.data.matrix()
            var scores: [Double]
            switch call.call {
            case "score":
                scores = try det.score(x)
            case "infer":
                var copy = det
                scores = try copy.score(x)
                let threshold = try det.inferThreshold(x, thresholdPercent: try #require(call.threshold_perc))
                #expect(copy == det, "inferThreshold must update the state as score does")
                let err = Self.relativeError(threshold, try #require(call.threshold))
                worst = max(worst, err)
                #expect(err <= 1e-9, "call \(index): threshold \(threshold) vs Alibi \(call.threshold!)")
            case "predict":
                let result = try det.predict(x, threshold: try #require(call.threshold))
                scores = result.instanceScore
                #expect(result.isOutlier == call.is_outlier, "call \(index): is_outlier differs")
            default:
                Issue.record("unknown call \(call.call)")
                continue
            }
            #expect(scores.count == call.scores.count)
            for (i, (ours, alibi)) in zip(scores, call.scores).enumerated() {
                if alibi == 0 {
                    #expect(ours == 0, "call \(index), row \(i): \(ours), Alibi scores 0")
                    continue
                }
                let err = Self.relativeError(ours, alibi)
                worst = max(worst, err)
                #expect(err <= 1e-9, "call \(index), row \(i): \(ours) vs Alibi \(alibi) (relative error \(err))")
            }
        }
        let s = c.final_state
        #expect(det.n == s.n)
        for (a, b) in Array(zip(det.mean, s.mean)) + zip(det.covariance, s.C) {
            worst = max(worst, Self.relativeError(a, b))
            #expect(Self.relativeError(a, b) <= 1e-9, "final state \(a) vs Alibi \(b)")
        }
        if let clip = s.clip {
            let lo = try #require(det.clipLower), hi = try #require(det.clipUpper)
            for (a, b) in zip(lo + hi, clip[0] + clip[1]) {
                #expect(Self.relativeError(a, b) <= 1e-9, "clip bound \(a) vs Alibi \(b)")
            }
        } else {
            #expect(det.clipLower == nil)
        }
        print("Mahalanobis \(c.name): worst relative error \(worst)")
    }

    @Test func mahalanobisStateRoundTripsThroughJSON() throws {
        let f = try #require(Self.fixture)
        let calls = f.mahalanobis[1].calls
        var det = try MahalanobisOutlier(stdClip: 2, startClip: 40)
        _ = try det.score(calls[0].data.matrix())
        _ = try det.score(calls[1].data.matrix())
        let data = try JSONEncoder().encode(det)
        var restored = try JSONDecoder().decode(MahalanobisOutlier.self, from: data)
        #expect(restored == det)
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains("\"max_n\":null"))
        let x = calls[2].data.matrix()
        #expect(try restored.score(x) == det.score(x))

        // A state whose parts do not fit is refused.
        let fresh = try JSONEncoder().encode(try MahalanobisOutlier())
        var broken = try #require(try JSONSerialization.jsonObject(with: fresh) as? [String: Any])
        broken["C"] = [1.0, 2.0]
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(MahalanobisOutlier.self, from: JSONSerialization.data(withJSONObject: broken))
        }
    }

    @Test func mahalanobisFirstRowsOfAFreshDetectorScoreZero() throws {
        let f = try #require(Self.fixture)
        var det = try MahalanobisOutlier()
        let scores = try det.score(f.mahalanobis[0].calls[0].data.matrix())
        #expect(scores.prefix(4).allSatisfy { $0 == 0 })
        #expect(scores.dropFirst(4).allSatisfy { $0 > 0 })
        #expect(det.n == 300 && det.featureCount == 5)
    }

    @Test func mahalanobisRejectsBadInput() throws {
        var det = try MahalanobisOutlier()
        let empty = try Tensor<Double>(shape: [0, 5], scalars: [])
        #expect(throws: DetectorError.invalidData(place: "input", problem: "has no rows", fix: "Pass a batch with at least one row.")) {
            _ = try det.score(empty)
        }
        let nan = try Tensor<Double>(rows: [[1, 2, 3], [4, .nan, 6]])
        #expect(throws: DetectorError.invalidData(place: "input row 2, feature 1", problem: "is nan", fix: "Remove or impute missing values first.")) {
            _ = try det.score(nan)
        }
        let inf = try Tensor<Double>(rows: [[1, 2, -.infinity]])
        #expect(throws: DetectorError.self) { _ = try det.score(inf) }
        #expect(det.n == 0, "a rejected batch leaves the state alone")

        _ = try det.score(try Tensor<Double>(rows: [[1, 2, 3], [2, 1, 0], [0, 1, 1]]))
        let before = det
        do {
            _ = try det.score(try Tensor<Double>(rows: [[1, 2, 3, 4]]))
            Issue.record("a batch of another width must throw")
        } catch {
            #expect(String(describing: error) == "input: has 4 features per row, the detector's state has 3. Score batches with the same columns as before, or start a new detector.")
        }
        #expect(det == before)
        #expect(throws: DetectorError.self) { _ = try det.inferThreshold(try Tensor<Double>(rows: [[1, 2, 3]]), thresholdPercent: 101) }
        #expect(throws: DetectorError.self) { _ = try det.predict(try Tensor<Double>(rows: [[1, 2, 3]]), threshold: .nan) }
        #expect(det == before)

        #expect(throws: DetectorError.self) { _ = try MahalanobisOutlier(nComponents: 0) }
        #expect(throws: DetectorError.self) { _ = try MahalanobisOutlier(stdClip: -1) }
        #expect(throws: DetectorError.self) { _ = try MahalanobisOutlier(startClip: -1) }
        #expect(throws: DetectorError.self) { _ = try MahalanobisOutlier(maxN: 1) }
    }

    // MARK: Isolation forest

    static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        func ranks(_ v: [Double]) -> [Double] {
            let order = v.indices.sorted { v[$0] < v[$1] }
            var r = [Double](repeating: 0, count: v.count)
            var i = 0
            while i < order.count {
                var j = i
                while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
                for t in i...j { r[order[t]] = Double(i + j) / 2 + 1 }
                i = j + 1
            }
            return r
        }
        let ra = ranks(a), rb = ranks(b)
        let n = Double(a.count)
        let ma = ra.reduce(0, +) / n, mb = rb.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(ra, rb) {
            sab += (x - ma) * (y - mb)
            saa += (x - ma) * (x - ma)
            sbb += (y - mb) * (y - mb)
        }
        return sab / (saa * sbb).squareRoot()
    }

    /// The probability that a random outlier scores above a random inlier (ties count half).
    static func auc(inliers: [Double], outliers: [Double]) -> Double {
        var wins = 0.0
        for o in outliers {
            for i in inliers { wins += o > i ? 1 : (o == i ? 0.5 : 0) }
        }
        return wins / Double(inliers.count * outliers.count)
    }

    static func forestData() throws -> (IsolationForestFixture, train: Tensor<Double>, test: Tensor<Double>) {
        let f = try #require(fixture).isolation_forest
        let test = try f.inliers.matrix().concatenatingRows(f.outliers.matrix())
        return (f, f.train.matrix(), test)
    }

    @Test func isolationForestMatchesScikitLearnStatistically() throws {
        let (f, train, test) = try Self.forestData()
        var rng = SeededGenerator(seed: 2024).child("detector.iforest")
        let forest = try IsolationForest(fitting: train, rng: &rng)
        #expect(forest.treeCount == 100 && forest.maxSamples == 256 && forest.depthLimit == 8)
        let scores = try forest.score(test)
        let nIn = f.inliers.n
        let inliers = Array(scores[..<nIn]), outliers = Array(scores[nIn...])
        let rho = Self.spearman(scores, f.scores)
        let meanIn = inliers.reduce(0, +) / Double(inliers.count)
        let meanOut = outliers.reduce(0, +) / Double(outliers.count)
        let auc = Self.auc(inliers: inliers, outliers: outliers)
        print("IsolationForest: Spearman \(rho), mean inlier \(meanIn) vs \(f.mean_inlier), mean outlier \(meanOut) vs \(f.mean_outlier), AUC \(auc) vs \(f.auc)")
        #expect(rho > 0.9)
        #expect(abs(meanIn - f.mean_inlier) <= 0.03)
        #expect(abs(meanOut - f.mean_outlier) <= 0.03)
        #expect(auc >= f.auc - 0.02)
        let range = f.over_random_states_0_19
        #expect(meanIn >= range.mean_inlier[0] - 0.01 && meanIn <= range.mean_inlier[1] + 0.01)
        #expect(meanOut >= range.mean_outlier[0] - 0.01 && meanOut <= range.mean_outlier[1] + 0.01)
    }

    @Test func isolationForestAveragedOverSeedsMatchesScikitLearnsAverage() throws {
        let (f, train, test) = try Self.forestData()
        let nIn = f.inliers.n
        var meanIn = 0.0, meanOut = 0.0, auc = 0.0
        let seeds = 20
        for seed in 0..<seeds {
            var rng = SeededGenerator(seed: UInt64(seed)).child("detector.iforest")
            let scores = try IsolationForest(fitting: train, rng: &rng).score(test)
            let inliers = Array(scores[..<nIn]), outliers = Array(scores[nIn...])
            meanIn += inliers.reduce(0, +) / Double(inliers.count) / Double(seeds)
            meanOut += outliers.reduce(0, +) / Double(outliers.count) / Double(seeds)
            auc += Self.auc(inliers: inliers, outliers: outliers) / Double(seeds)
        }
        let sk = f.over_random_states_0_19.average
        print("IsolationForest over \(seeds) seeds: mean inlier \(meanIn) vs \(sk.mean_inlier), mean outlier \(meanOut) vs \(sk.mean_outlier), AUC \(auc) vs \(sk.auc)")
        #expect(abs(meanIn - sk.mean_inlier) <= 0.005)
        #expect(abs(meanOut - sk.mean_outlier) <= 0.005)
        #expect(abs(auc - sk.auc) <= 0.006)
    }

    @Test func averagePathLengthIsScikitLearns() throws {
        let f = try #require(Self.fixture).isolation_forest
        for pair in f.average_path_length {
            let k = Int(pair[0])
            // Exact for 1 and 2; otherwise a log, which may differ from NumPy's by an ulp.
            #expect(Self.relativeError(IsolationForest.averagePathLength(k), pair[1]) <= 4e-16, "c(\(k))")
        }
        #expect(IsolationForest.averagePathLength(0) == 0)
        #expect(IsolationForest.averagePathLength(1) == 0)
        #expect(IsolationForest.averagePathLength(2) == 1)
    }

    @Test func isolationForestIsDeterministic() throws {
        let (_, train, test) = try Self.forestData()
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let fa = try IsolationForest(fitting: train, trees: 50, rng: &a)
        let fb = try IsolationForest(fitting: train, trees: 50, rng: &b)
        let fc = try IsolationForest(fitting: train, trees: 50, rng: &c)
        #expect(fa == fb)
        let sa = try fa.score(test)
        #expect(sa.map(\.bitPattern) == (try fb.score(test)).map(\.bitPattern))
        #expect(sa != (try fc.score(test)))
        for threads in [1, 2, 3] {
            let pooled = try BlockPool.withPool(threadCount: threads) { pool throws(DetectorError) in try fa.score(test, pool: pool) }
            #expect(pooled.map(\.bitPattern) == sa.map(\.bitPattern), "\(threads) threads")
        }
        #expect(sa.allSatisfy { $0 > -0.5 && $0 < 0.5 })
        // A second forest from the same (advanced) generator differs.
        let again = try IsolationForest(fitting: train, trees: 50, rng: &a)
        #expect(again != fa)

        let data = try JSONEncoder().encode(fa)
        let restored = try JSONDecoder().decode(IsolationForest.self, from: data)
        #expect(restored == fa)
        #expect(try restored.score(test) == sa)
    }

    @Test func isolationForestOnConstantAndTinyData() throws {
        var rng = SeededGenerator(seed: 1)
        // Every feature constant: the root is a leaf of ψ rows, so every score is the same.
        let constant = try Tensor<Double>(rows: Array(repeating: [1.0, 2.0], count: 10))
        let forest = try IsolationForest(fitting: constant, trees: 3, rng: &rng)
        #expect(forest.feature == [-1, -1, -1])
        let s = try forest.score(try Tensor<Double>(rows: [[1, 2], [100, -100]]))
        #expect(s[0] == s[1])
        #expect(abs(s[0]) < 1e-15, "h = c(ψ) gives s = 1/2")
        // Only the second feature varies: every split uses it.
        let oneVaries = try Tensor<Double>(rows: (0..<20).map { [5.0, Double($0)] })
        let f2 = try IsolationForest(fitting: oneVaries, trees: 10, rng: &rng)
        #expect(f2.feature.allSatisfy { $0 == -1 || $0 == 1 })
        #expect(f2.maxSamples == 20 && f2.depthLimit == 5)
        #expect(try f2.score(try Tensor<Double>(shape: [0, 2], scalars: [])) == [])
    }

    @Test func isolationForestRejectsBadInput() throws {
        var rng = SeededGenerator(seed: 1)
        let x = try Tensor<Double>(rows: [[1, 2], [3, 4], [5, 7]])
        #expect(throws: DetectorError.invalidParameter(name: "n_estimators", problem: "0 trees", valid: "Grow at least one tree (scikit-learn's default is 100).")) {
            _ = try IsolationForest(fitting: x, trees: 0, rng: &rng)
        }
        #expect(throws: DetectorError.self) { _ = try IsolationForest(fitting: try Tensor<Double>(shape: [0, 2], scalars: []), rng: &rng) }
        #expect(throws: DetectorError.self) { _ = try IsolationForest(fitting: try Tensor<Double>(rows: [[1, 2]]), rng: &rng) }
        #expect(throws: DetectorError.self) { _ = try IsolationForest(fitting: x, maxSamples: 4, rng: &rng) }
        #expect(throws: DetectorError.self) { _ = try IsolationForest(fitting: x, maxSamples: 1, rng: &rng) }
        #expect(throws: DetectorError.invalidData(place: "training row 2, feature 0", problem: "is nan", fix: "Remove or impute missing values before fitting.")) {
            _ = try IsolationForest(fitting: try Tensor<Double>(rows: [[1, 2], [.nan, 4]]), rng: &rng)
        }
        let forest = try IsolationForest(fitting: x, trees: 5, rng: &rng)
        #expect(throws: DetectorError.invalidData(place: "input", problem: "has 3 features per row, the forest was fitted on 2", fix: "Score data with the training columns.")) {
            _ = try forest.score(try Tensor<Double>(rows: [[1, 2, 3]]))
        }
        #expect(throws: DetectorError.self) { _ = try forest.score(try Tensor<Double>(rows: [[1, .infinity]])) }
    }

    // MARK: kNN

    @Test(arguments: fixture?.knn ?? [])
    func knnMatchesCdist(_ c: KNNCase) throws {
        let ref = c.reference.matrix(), query = c.query.matrix()
        let det = try KNNOutlier(reference: ref, k: c.k)
        var worst = 0.0
        for (ours, theirs) in Array(zip(try det.score(query), c.scores)) + zip(det.referenceScores(), c.reference_scores) {
            worst = max(worst, Self.relativeError(ours, theirs))
        }
        #expect(try det.score(query).count == c.scores.count)
        #expect(det.referenceScores().count == c.reference_scores.count)
        #expect(worst <= 1e-9)
        print("KNN k = \(c.k): worst relative error \(worst)")
    }

    @Test func knnIsDeterministicAcrossPools() throws {
        let f = try #require(Self.fixture)
        let c = f.knn[1]
        let det = try KNNOutlier(reference: c.reference.matrix(), k: c.k)
        let query = c.query.matrix()
        let serial = try det.score(query), serialRef = det.referenceScores()
        for threads in [1, 2, 3] {
            let (pooled, pooledRef) = try BlockPool.withPool(threadCount: threads) { pool throws(DetectorError) in
                (try det.score(query, pool: pool), det.referenceScores(pool: pool))
            }
            #expect(pooled.map(\.bitPattern) == serial.map(\.bitPattern), "\(threads) threads")
            #expect(pooledRef.map(\.bitPattern) == serialRef.map(\.bitPattern), "\(threads) threads")
        }
        // Duplicated reference rows are each other's nearest neighbour.
        let k1 = try KNNOutlier(reference: c.reference.matrix(), k: 1).referenceScores()
        #expect(k1[0] == 0 && k1[400] == 0 && k1[405] == 0)
        let result = try det.predict(query, threshold: OutlierThreshold.percentile(serialRef, 95))
        #expect(result.instanceScore == serial)

        let restored = try JSONDecoder().decode(KNNOutlier.self, from: JSONEncoder().encode(det))
        #expect(restored == det)
    }

    @Test func knnRejectsBadInput() throws {
        let ref = try Tensor<Double>(rows: [[0, 0], [1, 0], [0, 1]])
        #expect(throws: DetectorError.invalidParameter(name: "k", problem: "3 with 3 reference rows; each reference row needs 3 other rows", valid: "Use k ≤ 2 or a larger reference set.")) {
            _ = try KNNOutlier(reference: ref, k: 3)
        }
        #expect(throws: DetectorError.self) { _ = try KNNOutlier(reference: ref, k: 0) }
        #expect(throws: DetectorError.self) { _ = try KNNOutlier(reference: try Tensor<Double>(shape: [0, 2], scalars: []), k: 1) }
        #expect(throws: DetectorError.invalidData(place: "reference row 3, feature 1", problem: "is nan", fix: "Remove or impute missing values before fitting.")) {
            _ = try KNNOutlier(reference: try Tensor<Double>(rows: [[0, 0], [1, 0], [0, .nan]]), k: 1)
        }
        let det = try KNNOutlier(reference: ref, k: 2)
        #expect(throws: DetectorError.invalidData(place: "input", problem: "has 3 features per row, the reference has 2", fix: "Score data with the reference's columns.")) {
            _ = try det.score(try Tensor<Double>(rows: [[1, 2, 3]]))
        }
        #expect(throws: DetectorError.self) { _ = try det.score(try Tensor<Double>(rows: [[.nan, 2]])) }
        #expect(try det.score(try Tensor<Double>(shape: [0, 2], scalars: [])) == [])
        // By hand: (0,0) is at 0, 1, 1 from the reference rows; (3,4) at 5, √20, √18.
        #expect(try det.score(try Tensor<Double>(rows: [[0, 0], [3, 4]])) == [1, 20.0.squareRoot()])
        #expect(det.referenceScores() == [1, 2.0.squareRoot(), 2.0.squareRoot()])
    }

    // MARK: Percentile

    @Test(arguments: fixture?.percentile ?? [])
    func percentileIsBitEqualToNumPy(_ c: PercentileCase) {
        for (q, expected) in zip(c.q, c.percentiles) {
            let ours = OutlierThreshold.percentile(c.values, q)
            #expect(ours.bitPattern == expected.bitPattern, "q = \(q): \(ours) vs NumPy \(expected)")
        }
    }
}
