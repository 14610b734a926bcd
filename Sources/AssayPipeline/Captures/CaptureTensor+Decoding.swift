import AssayStore

extension CaptureTensor {
    /// The deepest nesting of tensor data accepted.
    static let maximumDepth = 64

    /// An Open Inference Protocol tensor `{name, shape, datatype, parameters?, data}`, with
    /// `data` flat or nested (flattened in row-major order). Values are converted to the datatype
    /// as ``CaptureTensor`` describes; a count that does not match the shape is a problem.
    static func openInference(_ json: JSONValue, what: String) throws(CaptureProblem) -> CaptureTensor {
        guard case .object(let o) = json else { throw CaptureProblem("\(what) is not an object") }
        guard let name = o["name"]?.stringValue else { throw CaptureProblem("\(what) has no string \"name\"") }
        guard let datatype = o["datatype"]?.stringValue?.uppercased(), datatypes.contains(datatype), datatype != "JSON" else {
            throw CaptureProblem("\(what) (\(name)) has datatype \(o["datatype"].map(\.description) ?? "missing")",
                                 fix: "Use an Open Inference Protocol datatype: BOOL, INT8…INT64, UINT8…UINT64, FP16, FP32, FP64, BYTES, BF16.")
        }
        guard let shapeValues = o["shape"]?.arrayValue else { throw CaptureProblem("\(what) (\(name)) has no \"shape\" array") }
        var shape: [Int] = []
        for d in shapeValues {
            guard let v = d.intValue, v >= 0 else { throw CaptureProblem("\(what) (\(name)) has shape \(JSONValue.array(shapeValues)), not a list of sizes") }
            shape.append(v)
        }
        guard let raw = o["data"] else { throw CaptureProblem("\(what) (\(name)) has no \"data\"") }
        var flat: [JSONValue] = []
        try flatten(raw, into: &flat, depth: 0, what: what)
        guard let count = elementCount(shape), count == flat.count else {
            throw CaptureProblem("\(what) (\(name)) has \(flat.count) values for shape \(shape)", fix: "The data must hold exactly the product of the shape's sizes.")
        }
        var data: [JSONValue] = []
        data.reserveCapacity(flat.count)
        for (i, v) in flat.enumerated() {
            data.append(try convert(v, to: datatype, what: "\(what) (\(name)) value \(i + 1)"))
        }
        let parameters = o["parameters"].flatMap { (v: JSONValue) -> JSONValue? in v.isNull ? Optional<JSONValue>.none : v }
        return CaptureTensor(name: name, datatype: datatype, shape: shape, data: data, names: nil, parameters: parameters)
    }

    /// A nested JSON array of any depth (Seldon `ndarray`, TensorFlow `instances`): the shape from
    /// the nesting (it must be rectangular), the datatype from the values: all numbers `FP64`,
    /// all Booleans `BOOL`, all strings `BYTES`, otherwise `JSON` with the values verbatim.
    static func nestedArray(_ json: JSONValue, name: String, names: [String]? = nil, what: String) throws(CaptureProblem) -> CaptureTensor {
        var shape: [Int] = []
        var probe = json
        while case .array(let a) = probe {
            shape.append(a.count)
            guard shape.count <= maximumDepth else { throw CaptureProblem("\(what) is nested deeper than \(maximumDepth) levels") }
            guard let first = a.first else { break }
            probe = first
        }
        var flat: [JSONValue] = []
        try flatten(json, into: &flat, depth: 0, what: what)
        guard let count = elementCount(shape), count == flat.count, try isRectangular(json, shape: shape[...]) else {
            throw CaptureProblem("\(what) is a ragged array (rows of different lengths)", fix: "Every row must have the same number of values.")
        }
        return CaptureTensor(name: name, datatype: inferredType(flat), shape: shape, data: flat.map(normalized), names: names)
    }

    /// The datatype inferred from JSON values; see ``nestedArray(_:name:names:what:)``.
    static func inferredType(_ values: [JSONValue]) -> String {
        var numbers = true, bools = true, strings = true
        for v in values {
            switch v {
            case .integer, .double: bools = false; strings = false
            case .bool: numbers = false; strings = false
            case .string: numbers = false; bools = false
            default: numbers = false; bools = false; strings = false
            }
        }
        if values.isEmpty || numbers { return "FP64" }
        if bools { return "BOOL" }
        if strings { return "BYTES" }
        return "JSON"
    }

    /// Numbers as doubles (so `5` and `5.0` write alike); other values unchanged.
    static func normalized(_ v: JSONValue) -> JSONValue {
        if case .integer = v, let d = v.doubleValue { return .double(d) }
        return v
    }

    static func flatten(_ value: JSONValue, into out: inout [JSONValue], depth: Int, what: String) throws(CaptureProblem) {
        guard depth <= maximumDepth else { throw CaptureProblem("\(what) is nested deeper than \(maximumDepth) levels") }
        if case .array(let a) = value {
            for v in a { try flatten(v, into: &out, depth: depth + 1, what: what) }
        } else {
            out.append(value)
        }
    }

    static func isRectangular(_ value: JSONValue, shape: ArraySlice<Int>) throws(CaptureProblem) -> Bool {
        guard let size = shape.first else {
            if case .array = value { return false }
            return true
        }
        guard case .array(let a) = value, a.count == size else { return false }
        for v in a where !(try isRectangular(v, shape: shape.dropFirst())) { return false }
        return true
    }

    static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o || p > 1 << 40 { return nil }
            n = p
        }
        return n
    }

    /// Converts one V2 value to its datatype's canonical form.
    static func convert(_ v: JSONValue, to datatype: String, what: String) throws(CaptureProblem) -> JSONValue {
        if v.isNull { return .null }
        switch datatype {
        case "BOOL":
            if let b = v.boolValue { return .bool(b) }
            if let i = v.int64Value, i == 0 || i == 1 { return .bool(i == 1) }
            throw CaptureProblem("\(what) is \(v), not a Boolean")
        case "BYTES":
            guard case .string = v else { throw CaptureProblem("\(what) is \(v), not a string (BYTES values are strings in JSON)") }
            return v
        case "FP32":
            guard let d = v.doubleValue else { throw CaptureProblem("\(what) is \(v), not a number") }
            return JSONValue(float32: Float(d))
        case "FP64", "FP16", "BF16":
            guard let d = v.doubleValue else { throw CaptureProblem("\(what) is \(v), not a number") }
            return d.isFinite ? .double(d) : .null
        default:
            guard let digits = v.integerDigits else { throw CaptureProblem("\(what) is \(v), not an integer (\(datatype))") }
            guard fits(digits, datatype) else { throw CaptureProblem("\(what) is \(digits), out of range for \(datatype)") }
            return .integer(digits)
        }
    }

    /// Whether integer digits fit an integer datatype.
    static func fits(_ digits: String, _ datatype: String) -> Bool {
        switch datatype {
        case "INT8": return Int8(digits) != nil
        case "INT16": return Int16(digits) != nil
        case "INT32": return Int32(digits) != nil
        case "INT64": return Int64(digits) != nil
        case "UINT8": return UInt8(digits) != nil
        case "UINT16": return UInt16(digits) != nil
        case "UINT32": return UInt32(digits) != nil
        case "UINT64": return UInt64(digits) != nil
        default: return false
        }
    }
}
