import AssayDetectors
import AssayNumerics
import AssayStore

/// The drift detectors `assay detector fit` knows, with their parameters (Alibi Detect's names
/// and defaults).
public enum DriftDetectorKind: String, Sendable, CaseIterable, Codable {
    case ks, cvm, chisquare, tabular, fet, mmd, lsdd

    /// Parameter names this kind accepts.
    public var parameterNames: [String] {
        let common = ["p_val", "correction", "drift_type"]
        switch self {
        case .mmd: return ["p_val", "n_permutations", "sigma", "configure_kernel_from_x_ref"]
        case .lsdd: return ["p_val", "n_permutations", "sigma", "n_kernel_centers", "lambda_rd_max"]
        case .ks: return common + ["alternative", "method"]
        case .cvm: return common
        case .chisquare: return common + ["categories_per_feature", "categorical"]
        case .tabular: return common + ["categories_per_feature", "categorical", "alternative"]
        case .fet: return common + ["alternative"]
        }
    }

    /// The detector's kind string in the lineage (`drift.ks`, …).
    public var detectorKind: String {
        switch self {
        case .ks: KSDrift.kind
        case .cvm: CVMDrift.kind
        case .chisquare: ChiSquareDrift.kind
        case .tabular: TabularDrift.kind
        case .fet: FETDrift.kind
        case .mmd: MMDDrift.kind
        case .lsdd: LSDDDrift.kind
        }
    }

    /// The detector's algorithm version.
    public var detectorVersion: Int {
        switch self {
        case .ks: KSDrift.version
        case .cvm: CVMDrift.version
        case .chisquare: ChiSquareDrift.version
        case .tabular: TabularDrift.version
        case .fet: FETDrift.version
        case .mmd: MMDDrift.version
        case .lsdd: LSDDDrift.version
        }
    }

    /// Alibi Detect's class name, reported as `meta.name`.
    public var alibiName: String {
        switch self {
        case .ks: "KSDrift"
        case .cvm: "CVMDrift"
        case .chisquare: "ChiSquareDrift"
        case .tabular: "TabularDrift"
        case .fet: "FETDrift"
        case .mmd: "MMDDrift"
        case .lsdd: "LSDDDrift"
        }
    }

    /// Every parameter with its value (given or default), canonical: what the artifact records.
    public func resolvedParameters(_ p: DetectorParameters, features: Int) throws(PipelineError) -> [String: JSONValue] {
        try p.requireOnly(parameterNames)
        if self == .mmd || self == .lsdd {
            var out: [String: JSONValue] = [
                "p_val": .double(try p.number("p_val", default: 0.05, in: 0...1, open: true)),
                "n_permutations": JSONValue(try p.integer("n_permutations", default: 100, atLeast: 1)),
                "sigma": try DriftDetectorKind.sigmas(p["sigma"], single: self == .lsdd),
            ]
            if self == .mmd {
                let configure = p["configure_kernel_from_x_ref"] ?? .bool(true)
                guard let flag = configure.boolValue else {
                    throw .invalidInput(place: "--param configure_kernel_from_x_ref", problem: "expected true or false", fix: "")
                }
                out["configure_kernel_from_x_ref"] = .bool(flag)
            } else {
                out["n_kernel_centers"] = p["n_kernel_centers"] == nil ? .null : JSONValue(try p.integer("n_kernel_centers", default: 1, atLeast: 1))
                out["lambda_rd_max"] = .double(try p.number("lambda_rd_max", default: 0.2, in: 0...1, open: true))
            }
            return out
        }
        var out: [String: JSONValue] = [
            "p_val": .double(try p.number("p_val", default: 0.05, in: 0...1, open: true)),
            "correction": .string(try p.choice("correction", default: Correction.bonferroni).rawValue),
            "drift_type": .string(try p.choice("drift_type", default: DriftType.batch).rawValue),
        ]
        switch self {
        case .ks:
            out["alternative"] = .string(try p.choice("alternative", default: KSAlternative.twoSided).rawValue)
            out["method"] = .string(try p.choice("method", default: KSMethod.asymp).rawValue)
        case .cvm, .mmd, .lsdd:
            break
        case .chisquare, .tabular:
            out["categories_per_feature"] = try DriftDetectorKind.categories(p, features: features, defaultAll: self == .chisquare)
            if self == .tabular {
                out["alternative"] = .string(try p.choice("alternative", default: KSAlternative.twoSided).rawValue)
            }
        case .fet:
            out["alternative"] = .string(try p.choice("alternative", default: FisherAlternative.greater).rawValue)
        }
        return out
    }

    /// `categories_per_feature` as a canonical object (`{"0": null, "3": 4, "5": [1, 2]}`),
    /// from that parameter or the `categorical=0,3,5` shorthand (all features for chisquare when
    /// neither is given).
    static func categories(_ p: DetectorParameters, features: Int, defaultAll: Bool) throws(PipelineError) -> JSONValue {
        if p["categories_per_feature"] != nil && p["categorical"] != nil {
            throw .invalidInput(place: "--param categorical", problem: "given together with categories_per_feature", fix: "Pass one of the two.")
        }
        var result: [String: JSONValue] = [:]
        func index(_ text: String) throws(PipelineError) -> Int {
            guard let i = Int(text.trimmingCharacters(in: .whitespaces)), i >= 0, i < features else {
                throw .invalidInput(place: "categories", problem: "\(text.debugDescription) is not a feature index", fix: "Use column indices 0 to \(features - 1).")
            }
            return i
        }
        if let raw = p["categories_per_feature"] {
            guard let object = raw.objectValue else {
                throw .invalidInput(place: "--param categories_per_feature", problem: "expected a JSON object such as {\"0\": null, \"3\": 4}", fix: "Map column indices to null, a count, or a list of values.")
            }
            for (key, value) in object {
                let f = try index(key)
                switch value {
                case .null: result[String(f)] = .null
                case .integer where (value.intValue ?? 0) >= 1:
                    result[String(f)] = JSONValue(value.intValue ?? 0)
                case .array(let items):
                    var values: [JSONValue] = []
                    for item in items {
                        guard let v = item.doubleValue, v.isFinite else {
                            throw .invalidInput(place: "--param categories_per_feature[\(key)]", problem: "category values must be numbers", fix: "Encode categories as numbers.")
                        }
                        values.append(.double(v))
                    }
                    result[String(f)] = .array(values)
                default:
                    throw .invalidInput(place: "--param categories_per_feature[\(key)]", problem: "expected null, a positive count, or a list of values", fix: "")
                }
            }
        } else if let raw = p["categorical"] {
            let list: [String]
            switch raw {
            case .string(let s): list = s.split(separator: ",").map(String.init)
            case .integer: list = [String(raw.intValue ?? -1)]
            case .array(let items): list = items.map { $0.intValue.map(String.init) ?? "?" }
            default: list = ["?"]
            }
            for item in list { result[String(try index(item))] = .null }
        } else if defaultAll {
            for f in 0..<features { result[String(f)] = .null }
        }
        return .object(result)
    }

    /// Builds the detector from resolved parameters and a reference matrix.
    public func build(parameters p: [String: JSONValue], reference: Tensor<Double>, seed: UInt64, pool: BlockPool?) throws -> AnyDriftDetector {
        let reader = DetectorParameters(kind: rawValue, values: p)
        let pVal = try reader.number("p_val", default: 0.05)
        // Univariate detectors only; the kernel detectors have no such parameters.
        let correction = try reader.choice("correction", default: Correction.bonferroni)
        let driftType = try reader.choice("drift_type", default: DriftType.batch)
        switch self {
        case .ks:
            return .ks(try KSDrift(reference: reference, pVal: pVal, correction: correction,
                                   alternative: try reader.choice("alternative", default: KSAlternative.twoSided),
                                   method: try reader.choice("method", default: KSMethod.asymp), driftType: driftType, pool: pool))
        case .cvm:
            return .cvm(try CVMDrift(reference: reference, pVal: pVal, correction: correction, driftType: driftType, pool: pool))
        case .chisquare:
            return .chisquare(try ChiSquareDrift(reference: reference, pVal: pVal, correction: correction,
                                                 categoriesPerFeature: DriftDetectorKind.categorySpecs(p["categories_per_feature"]), driftType: driftType, pool: pool))
        case .tabular:
            return .tabular(try TabularDrift(reference: reference, pVal: pVal, correction: correction,
                                             categoriesPerFeature: DriftDetectorKind.categorySpecs(p["categories_per_feature"]),
                                             alternative: try reader.choice("alternative", default: KSAlternative.twoSided), driftType: driftType, pool: pool))
        case .fet:
            return .fet(try FETDrift(reference: reference, pVal: pVal, correction: correction,
                                     alternative: try reader.choice("alternative", default: FisherAlternative.greater), driftType: driftType, pool: pool))
        case .mmd:
            let sigma = p["sigma"]?.arrayValue?.compactMap(\.doubleValue)
            return .mmd(try MMDDrift(reference: reference, pVal: pVal, permutations: try reader.integer("n_permutations", default: 100, atLeast: 1),
                                     sigma: sigma, configureKernelFromReference: p["configure_kernel_from_x_ref"]?.boolValue ?? true, pool: pool))
        case .lsdd:
            var rng = SeededGenerator(seed: seed).child("detector.fit").child(LSDDDrift.kind)
            return .lsdd(try LSDDDrift(reference: reference, pVal: pVal, permutations: try reader.integer("n_permutations", default: 100, atLeast: 1),
                                       sigma: p["sigma"]?.doubleValue, kernelCenters: p["n_kernel_centers"]?.intValue,
                                       lambdaRDMax: try reader.number("lambda_rd_max", default: 0.2), rng: &rng, pool: pool))
        }
    }

    /// `sigma`: absent (median heuristic), a positive number, or (MMD) a list of them.
    static func sigmas(_ value: JSONValue?, single: Bool) throws(PipelineError) -> JSONValue {
        guard let value, !value.isNull else { return .null }
        let list = value.arrayValue ?? [value]
        var out: [JSONValue] = []
        for v in list {
            guard let x = v.doubleValue, x > 0, x.isFinite else {
                throw .invalidInput(place: "--param sigma", problem: "expected a positive number\(single ? "" : " or a list of them")", fix: "Write e.g. sigma=1.5\(single ? "" : " or sigma=[0.5,1,2]").")
            }
            out.append(.double(x))
        }
        if single {
            guard out.count == 1 else { throw .invalidInput(place: "--param sigma", problem: "LSDD takes one bandwidth", fix: "Write e.g. sigma=1.5.") }
            return out[0]
        }
        return .array(out)
    }

    static func categorySpecs(_ value: JSONValue?) -> [Int: CategorySpec] {
        var out: [Int: CategorySpec] = [:]
        for (key, v) in value?.objectValue ?? [:] {
            guard let f = Int(key) else { continue }
            switch v {
            case .null: out[f] = .fromReference
            case .array(let items): out[f] = .values(items.compactMap(\.doubleValue))
            default: out[f] = .count(v.intValue ?? 0)
            }
        }
        return out
    }
}

/// One of the drift detectors, behind one `detect`.
public enum AnyDriftDetector: Sendable {
    case ks(KSDrift), cvm(CVMDrift), chisquare(ChiSquareDrift), tabular(TabularDrift), fet(FETDrift), mmd(MMDDrift), lsdd(LSDDDrift)

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        switch self {
        case .ks(let d): try d.detect(x, rng: &rng)
        case .cvm(let d): try d.detect(x, rng: &rng)
        case .chisquare(let d): try d.detect(x, rng: &rng)
        case .tabular(let d): try d.detect(x, rng: &rng)
        case .fet(let d): try d.detect(x, rng: &rng)
        case .mmd(let d): try d.detect(x, rng: &rng)
        case .lsdd(let d): try d.detect(x, rng: &rng)
        }
    }
}
