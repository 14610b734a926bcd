import AssayStore

/// Reads `--param key=value` pairs for a detector kind: typed, with Alibi Detect's names and
/// defaults, refusing unknown names with the list of valid ones.
public struct DetectorParameters: Sendable {
    /// The raw values; a value is JSON when it parses as JSON, otherwise a string.
    public private(set) var values: [String: JSONValue]
    let kind: String

    /// Parses `key=value` strings.
    /// - Throws: ``PipelineError`` for an entry without `=` or an empty key, or a key given twice.
    public init(kind: String, assignments: [String]) throws(PipelineError) {
        self.kind = kind
        var values: [String: JSONValue] = [:]
        for a in assignments {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw .invalidInput(place: "--param \(a)", problem: "expected key=value", fix: "Write e.g. --param p_val=0.01.")
            }
            let key = String(a[..<eq]).trimmingCharacters(in: .whitespaces)
            let text = String(a[a.index(after: eq)...])
            guard values[key] == nil else {
                throw .invalidInput(place: "--param \(key)", problem: "given twice", fix: "Pass each parameter once.")
            }
            values[key] = DetectorParameters.parseValue(text)
        }
        self.values = values
    }

    /// Wraps values read back from a detector artifact.
    init(kind: String, values: [String: JSONValue]) {
        self.kind = kind
        self.values = values
    }

    /// JSON when `text` parses as JSON (numbers, lists, objects, true/false/null), else a string.
    static func parseValue(_ text: String) -> JSONValue {
        if let v = try? JSONValue.parse(Array(text.utf8)) { return v }
        return .string(text)
    }

    /// Refuses any key not in `valid`.
    public func requireOnly(_ valid: [String]) throws(PipelineError) {
        for key in values.keys.sorted() where !valid.contains(key) {
            throw .invalidInput(place: "--param \(key)", problem: "not a parameter of \(kind)",
                                fix: "Valid parameters: \(valid.sorted().joined(separator: ", ")).")
        }
    }

    /// A number, or `default` when absent.
    public func number(_ key: String, default value: Double, in range: ClosedRange<Double>? = nil, open: Bool = false) throws(PipelineError) -> Double {
        guard let raw = values[key] else { return value }
        guard let x = raw.doubleValue, x.isFinite else {
            throw .invalidInput(place: "--param \(key)", problem: "\(describe(raw)) is not a number", fix: "Pass a number, e.g. \(key)=\(value).")
        }
        if let range {
            let inside = open ? (x > range.lowerBound && x < range.upperBound) : range.contains(x)
            if !inside {
                throw .invalidInput(place: "--param \(key)", problem: "\(x) is outside \(open ? "(" : "[")\(range.lowerBound), \(range.upperBound)\(open ? ")" : "]")",
                                    fix: "Pass a value in that range.")
            }
        }
        return x
    }

    /// A whole number, or `default` when absent.
    public func integer(_ key: String, default value: Int, atLeast minimum: Int) throws(PipelineError) -> Int {
        guard let raw = values[key] else { return value }
        guard let x = raw.intValue else {
            throw .invalidInput(place: "--param \(key)", problem: "\(describe(raw)) is not a whole number", fix: "Pass e.g. \(key)=\(value).")
        }
        guard x >= minimum else {
            throw .invalidInput(place: "--param \(key)", problem: "\(x) is less than \(minimum)", fix: "Pass at least \(minimum).")
        }
        return x
    }

    /// One of an enumeration's raw values, or `default` when absent.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, default value: E) throws(PipelineError) -> E where E.RawValue == String {
        guard let raw = values[key] else { return value }
        guard let s = raw.stringValue, let e = E(rawValue: s) else {
            throw .invalidInput(place: "--param \(key)", problem: "\(describe(raw)) is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))",
                                fix: "Pass one of those.")
        }
        return e
    }

    /// The raw JSON of `key`, if given.
    public subscript(key: String) -> JSONValue? { values[key] }

    func describe(_ v: JSONValue) -> String {
        let text = (try? v.canonicalString) ?? "?"
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}
