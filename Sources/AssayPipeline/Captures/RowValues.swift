import Foundation
import AssayStore

/// Turning the loose values of table rows (JSON Lines, CSV) into capture fields.
enum RowValues {
    /// Column names with a meaning of their own; every other column is a feature.
    static let requestIDColumn = "request_id"
    static let timestampColumn = "timestamp"
    static let truthColumn = "truth"
    static let modelColumn = "model"

    /// A request id from a string or an integer.
    static func requestID(_ v: JSONValue) -> String? {
        v.stringValue ?? v.integerDigits
    }

    /// A timestamp from RFC 3339 text, or Unix seconds as a number or text.
    static func timestamp(_ v: JSONValue) -> CaptureTimestamp? {
        switch v {
        case .string(let s): return CaptureTimestamp(parsing: s.trimmingCharacters(in: .whitespaces))
        case .integer(let digits): return CaptureTimestamp(parsing: digits)
        case .double(let d): return d.isFinite ? CaptureTimestamp(parsing: "\(d)") : nil
        default: return nil
        }
    }

    /// One row of features as a `[1, k]` tensor named `features` with the column names.
    static func features(_ names: [String], _ values: [JSONValue]) -> CaptureTensor {
        var type = CaptureTensor.inferredType(values.filter { !$0.isNull })
        if values.contains(where: \.isNull), type != "FP64" { type = "JSON" }
        let data = type == "FP64" ? values.map(CaptureTensor.normalized) : values
        return CaptureTensor(name: "features", datatype: type, shape: [1, values.count], data: data, names: names)
    }

    /// A truth value (scalar or list) as a tensor named `truth` with a batch of one.
    static func truth(_ v: JSONValue) throws(CaptureProblem) -> CaptureTensor {
        var t = try CaptureTensor.nestedArray(.array([v]), name: "truth", what: "truth")
        t.names = nil
        return t
    }
}
