/// A number or an array of numbers, as Alibi Detect returns `p_val`, `distance` and `threshold`
/// (a scalar for batch-wise kernel tests, per-feature arrays for univariate tests). NaN and the
/// infinities encode as `null` (JSON has no form for them).
public enum NumberOrArray: Sendable, Equatable, Codable {
    case number(Double)
    case array([Double])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let list = try? c.decode([Double?].self) {
            self = .array(list.map { $0 ?? .nan })
        } else if c.decodeNil() {
            self = .number(.nan)
        } else {
            self = .number(try c.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let v): if v.isFinite { try c.encode(v) } else { try c.encodeNil() }
        case .array(let vs): try c.encode(vs.map { $0.isFinite ? $0 : nil })
        }
    }

    /// The scalar, or `nil` for an array.
    public var number: Double? { if case .number(let v) = self { v } else { nil } }
    /// The array, or `nil` for a scalar.
    public var array: [Double]? { if case .array(let v) = self { v } else { nil } }

    /// Same-shape comparison where NaN equals NaN (results round-trip through JSON null).
    public static func == (a: NumberOrArray, b: NumberOrArray) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        switch (a, b) {
        case (.number(let x), .number(let y)): return same(x, y)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        default: return false
        }
    }
}

/// A 0/1 flag, or one flag per feature (`drift_type=feature`), as Alibi Detect's `is_drift`.
public enum FlagOrArray: Sendable, Equatable, Codable {
    case flag(Int)
    case array([Int])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let list = try? c.decode([Int].self) { self = .array(list) } else { self = .flag(try c.decode(Int.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .flag(let v): try c.encode(v)
        case .array(let vs): try c.encode(vs)
        }
    }

    /// Whether any flag is set.
    public var any: Bool {
        switch self {
        case .flag(let v): return v != 0
        case .array(let vs): return vs.contains { $0 != 0 }
        }
    }
}

/// The `data` part of an Alibi Detect drift prediction, with Alibi's field names.
public struct DriftResult: Sendable, Equatable, Codable {
    /// `is_drift`: 1 when drift is detected (per feature with `drift_type=feature`).
    public var isDrift: FlagOrArray
    /// `p_val`: per-feature p-values (univariate tests) or the permutation p-value.
    public var pVal: NumberOrArray
    /// `threshold`: the level the p-values were compared with (corrected for batch decisions).
    public var threshold: NumberOrArray
    /// `distance`: per-feature statistics, or the kernel statistic (MMD², LSDD).
    public var distance: NumberOrArray
    /// `distance_threshold`: for permutation tests, the statistic a batch must exceed; `null`
    /// for univariate tests.
    public var distanceThreshold: Double?

    public init(isDrift: FlagOrArray, pVal: NumberOrArray, threshold: NumberOrArray, distance: NumberOrArray, distanceThreshold: Double? = nil) {
        self.isDrift = isDrift
        self.pVal = pVal
        self.threshold = threshold
        self.distance = distance
        self.distanceThreshold = distanceThreshold
    }

    enum CodingKeys: String, CodingKey {
        case isDrift = "is_drift"
        case pVal = "p_val"
        case threshold, distance
        case distanceThreshold = "distance_threshold"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(isDrift, forKey: .isDrift)
        try c.encode(pVal, forKey: .pVal)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(distance, forKey: .distance)
        if let d = distanceThreshold, d.isFinite { try c.encode(d, forKey: .distanceThreshold) } else { try c.encodeNil(forKey: .distanceThreshold) }
    }
}
