import Foundation
import Testing
import AssayDetectors
import AssayNumerics

/// Parity with Alibi Detect 0.13.0 and SciPy 1.17.1 on the cases of
/// scripts/fixtures/detectors_drift.py.
///
/// Tolerances: statistics and p-values against SciPy's float64 values to relative 1e-9 (absolute
/// 1e-300 for p-values that underflow; absolute 1e-14 for CvM asymptotic p-values below 1e-4,
/// which both libraries compute as 1 − C∞ and so know only to ~1e-16 absolute); against Alibi
/// Detect, whose arrays are float32, the float32 rounding of our values must equal Alibi's
/// exactly, and `is_drift` and `threshold` must be identical.
@Suite struct UnivariateDriftParityTests {
    struct Case: Decodable {
        struct Alibi: Decodable { var is_drift: FlagOrArray; var threshold: NumberOrArray; var p_val: [Double]; var distance: [Double] }
        struct SciPy: Decodable { var statistic: [Double]; var p_value: [Double] }
        var name: String
        var detector: String
        var params: [String: ParamValue]
        var reference: DataSpec
        var test: DataSpec
        var alibi: Alibi
        var scipy: SciPy
    }
    enum ParamValue: Decodable {
        case string(String), number(Double), categories([String: CategoryValue])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .string(s) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else { self = .categories(try c.decode([String: CategoryValue].self)) }
        }
    }
    enum CategoryValue: Decodable {
        case none, count(Int), list([Double])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .none } else if let k = try? c.decode(Int.self) { self = .count(k) } else { self = .list(try c.decode([Double].self)) }
        }
    }
    struct File: Decodable { var cases: [Case] }

    static let cases: [Case] = (try? loadFixture("drift_univariate", as: File.self).cases) ?? []

    @Test func fixtureLoaded() {
        #expect(Self.cases.count >= 50)
    }

    static func string(_ p: [String: ParamValue], _ k: String, _ d: String) -> String {
        if case .string(let s)? = p[k] { return s }
        return d
    }

    static func build(_ c: Case) throws -> any Detector {
        let ref = c.reference.matrix()
        let pVal: Double = { if case .number(let v)? = c.params["p_val"] { return v }; return 0.05 }()
        let correction = Correction(rawValue: string(c.params, "correction", "bonferroni"))!
        let driftType = DriftType(rawValue: string(c.params, "drift_type", "batch"))!
        var categories: [Int: CategorySpec] = [:]
        if case .categories(let m)? = c.params["categories_per_feature"] {
            for (k, v) in m {
                switch v {
                case .none: categories[Int(k)!] = .fromReference
                case .count(let n): categories[Int(k)!] = .count(n)
                case .list(let l): categories[Int(k)!] = .values(l)
                }
            }
        }
        switch c.detector {
        case "ks":
            return try KSDrift(reference: ref, pVal: pVal, correction: correction,
                               alternative: KSAlternative(rawValue: string(c.params, "alternative", "two-sided"))!, driftType: driftType)
        case "cvm":
            return try CVMDrift(reference: ref, pVal: pVal, correction: correction, driftType: driftType)
        case "chisquare":
            return try ChiSquareDrift(reference: ref, pVal: pVal, correction: correction, categoriesPerFeature: categories, driftType: driftType)
        case "tabular":
            return try TabularDrift(reference: ref, pVal: pVal, correction: correction, categoriesPerFeature: categories,
                                    alternative: KSAlternative(rawValue: string(c.params, "alternative", "two-sided"))!, driftType: driftType)
        case "fet":
            return try FETDrift(reference: ref, pVal: pVal, correction: correction,
                                alternative: FisherAlternative(rawValue: string(c.params, "alternative", "greater"))!, driftType: driftType)
        default:
            throw DetectorError.invalidParameter(name: "detector", problem: c.detector, valid: "")
        }
    }

    static func detect(_ d: any Detector, _ x: Tensor<Double>) throws -> DriftResult {
        var rng = SeededGenerator(seed: 0)
        return try d.detect(x, rng: &rng) as! DriftResult
    }

    static func close(_ a: Double, _ b: Double, rel: Double) -> Bool {
        if a == b { return true }
        if a.isNaN && b.isNaN { return true }
        if abs(a) < 1e-300 && abs(b) < 1e-300 { return true }
        return abs(a - b) <= rel * max(abs(a), abs(b))
    }

    @Test(arguments: cases.map(\.name))
    func matchesSciPyAndAlibi(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let result = try Self.detect(try Self.build(c), c.test.matrix())
        let p = try #require(result.pVal.array)
        let dist = try #require(result.distance.array)
        for f in 0..<p.count {
            // CvM's asymptotic p-value is 1 − C∞(t): SciPy and Assay both subtract from 1, so it has
            // an absolute accuracy near 1e-16 and no relative accuracy once it is tiny.
            let cvmTiny = c.detector == "cvm" && c.scipy.p_value[f] < 1e-4
            if cvmTiny {
                #expect(abs(p[f] - c.scipy.p_value[f]) <= 1e-14, "\(name) feature \(f): p \(p[f]) vs SciPy \(c.scipy.p_value[f])")
            } else {
                #expect(Self.close(p[f], c.scipy.p_value[f], rel: 1e-9), "\(name) feature \(f): p \(p[f]) vs SciPy \(c.scipy.p_value[f])")
            }
            #expect(Self.close(dist[f], c.scipy.statistic[f], rel: 1e-9), "\(name) feature \(f): statistic \(dist[f]) vs SciPy \(c.scipy.statistic[f])")
            #expect(cvmTiny || Float(p[f]) == Float(c.alibi.p_val[f]), "\(name) feature \(f): float32 p \(Float(p[f])) vs Alibi \(c.alibi.p_val[f])")
        }
        #expect(result.isDrift == c.alibi.is_drift, "\(name): is_drift")
        #expect(result.threshold == c.alibi.threshold, "\(name): threshold \(result.threshold) vs \(c.alibi.threshold)")
    }
}

@Suite struct FeatureWiseDeterminismTests {
    @Test func sameBytesWithOneTwoAndEightThreads() throws {
        let ref = DataSpec(n: 400, d: 12, kind: "irwinhall", seed: 3).matrix()
        let x = DataSpec(n: 300, d: 12, kind: "irwinhall", seed: 4, shift: 0.1).matrix()
        var results: [DriftResult] = []
        for threads in [1, 2, 8] {
            let pool = BlockPool(threadCount: threads)
            pool.start()
            defer { pool.shutdown() }
            var rng = SeededGenerator(seed: 0)
            results.append(try KSDrift(reference: ref, pool: pool).detect(x, rng: &rng))
            var rng2 = SeededGenerator(seed: 0)
            results.append(try CVMDrift(reference: ref, pool: pool).detect(x, rng: &rng2))
        }
        #expect(results[0] == results[2] && results[2] == results[4])
        #expect(results[1] == results[3] && results[3] == results[5])
    }

    @Test func theFirstFailingFeatureIsReportedWhateverTheThreads() throws {
        let ref = DataSpec(n: 50, d: 4, kind: "binary", seed: 1, p: 0.5).matrix()
        var bad = DataSpec(n: 20, d: 4, kind: "binary", seed: 2, p: 0.5).matrix().scalars
        bad[1] = 0.5   // feature 1 is not binary
        bad[3] = 2     // nor is feature 3
        let x = try Tensor(shape: [20, 4], scalars: bad)
        for threads in [1, 8] {
            let pool = BlockPool(threadCount: threads)
            pool.start()
            defer { pool.shutdown() }
            var rng = SeededGenerator(seed: 0)
            let error = #expect(throws: DetectorError.self) { _ = try FETDrift(reference: ref, pool: pool).detect(x, rng: &rng) }
            #expect(error?.description.contains("feature 1") == true, "\(String(describing: error))")
        }
    }
}
