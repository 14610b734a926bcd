import Foundation
import AssayStore

/// Ground truth for a replay, joined to the traffic by request id: the feedback a Seldon Core
/// metrics server receives, possibly long after the request.
///
/// Two file formats, chosen by the first non-blank byte:
/// - CSV with a header naming a `request_id` column and a `truth` (or `label`) column, e.g.
///   `request_id,truth` then `req-17,3`;
/// - JSON lines, one object per line: `{"request_id": "req-17", "truth": 3}`. The truth may be a
///   number (a label, or a value for regression), a one-hot list (`[0, 0, 1]`, Seldon's
///   MultiClassOneHot), a one-row nested list (`[[0, 0, 1]]`), or Seldon's feedback payload
///   `{"data": {"ndarray": [[0, 0, 1]]}}`. `id` is read when `request_id` is absent.
///
/// A request id given twice keeps its last truth (feedback corrects itself) and is counted in
/// ``duplicates``. Entries whose id never appears in the capture are kept and reported by the
/// replay, never dropped silently.
public struct TruthTable: Sendable {
    /// One truth value.
    public enum Value: Sendable, Equatable {
        case number(Double)
        case oneHot([Double])

        /// The class label: the number when it is a whole number, or the one-hot list's argmax
        /// (the first of equals).
        public var label: Int? {
            switch self {
            case .number(let x):
                guard x.isFinite, x == x.rounded(), Swift.abs(x) < 1e15 else { return nil }
                return Int(x)
            case .oneHot(let v):
                guard !v.isEmpty else { return nil }
                var best = 0
                for j in v.indices where v[j] > v[best] { best = j }
                return best
            }
        }

        /// The number, for regression (a one-element list counts).
        public var number: Double? {
            switch self {
            case .number(let x): return x
            case .oneHot(let v): return v.count == 1 ? v[0] : nil
            }
        }
    }

    /// Truth by request id.
    public private(set) var values: [String: Value]
    /// Entries read (including duplicates).
    public private(set) var entries: Int
    /// Request ids given more than once.
    public private(set) var duplicates: Int

    /// Largest truth file read.
    public static let maximumBytes = 1 << 30

    /// Parses a truth file's bytes; `place` names it in errors (with line numbers).
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` naming the line and what is
    ///   wrong: no header columns, a missing id, a truth that is not a number or a list of
    ///   numbers, NaN, an empty file.
    public init(bytes: [UInt8], place: String) throws(PipelineError) {
        guard bytes.count <= TruthTable.maximumBytes else {
            throw .invalidInput(place: place, problem: "the truth file is larger than 1 GiB", fix: "Split the truth by period and replay each capture with its own.")
        }
        values = [:]
        entries = 0
        duplicates = 0
        guard let first = bytes.first(where: { !(($0 == 0x20) || ($0 == 0x0a) || ($0 == 0x0d) || ($0 == 0x09) || ($0 == 0xEF) || ($0 == 0xBB) || ($0 == 0xBF)) }) else {
            throw .invalidInput(place: place, problem: "the truth file is empty",
                                fix: "Write one line per request: a CSV with a request_id,truth header, or JSON lines {\"request_id\": …, \"truth\": …}.")
        }
        if first == UInt8(ascii: "{") { try readJSONLines(bytes, place: place) } else { try readCSV(bytes, place: place) }
        guard entries > 0 else {
            throw .invalidInput(place: place, problem: "the truth file has no entries", fix: "Add one line per request with its truth.")
        }
    }

    private mutating func insert(_ id: String, _ value: Value) {
        entries += 1
        if values.updateValue(value, forKey: id) != nil { duplicates += 1 }
    }

    private mutating func readCSV(_ bytes: [UInt8], place: String) throws(PipelineError) {
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        let records = try CSVRecords(Array(content), place: place)
        let header = CSVMatrix.fields(records.header).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let idColumn = header.firstIndex(of: "request_id") ?? header.firstIndex(of: "id"),
              let truthColumn = header.firstIndex(of: "truth") ?? header.firstIndex(of: "label") else {
            throw .invalidInput(place: "\(place): line 1", problem: "the header \(header.prefix(8)) has no request_id and truth columns",
                                fix: "Start the file with a header such as request_id,truth.")
        }
        for (record, line) in zip(records.rows, records.rowLines) {
            let fields = CSVMatrix.fields(record)
            guard fields.count == header.count else {
                throw .invalidInput(place: "\(place): line \(line)", problem: "\(fields.count) fields, the header has \(header.count)", fix: "Give every row as many fields as the header.")
            }
            let id = fields[idColumn]
            guard !id.isEmpty else { throw .invalidInput(place: "\(place): line \(line)", problem: "the request id is empty", fix: "Give every row its request id.") }
            let text = fields[truthColumn].trimmingCharacters(in: .whitespaces)
            guard let x = Double(text), x.isFinite else {
                throw .invalidInput(place: "\(place): line \(line) (request \(id))", problem: "truth \(text.debugDescription) is not a finite number",
                                    fix: "Write the label or value as a number; use JSON lines for one-hot truth.")
            }
            insert(id, .number(x))
        }
    }

    private mutating func readJSONLines(_ bytes: [UInt8], place: String) throws(PipelineError) {
        var line = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0a { end += 1 }
            line += 1
            let slice = bytes[start..<end]
            start = end + 1
            guard slice.contains(where: { !($0 == 0x20 || $0 == 0x0d || $0 == 0x09) }) else { continue }
            let at = "\(place): line \(line)"
            guard let object = try? JSONValue.parse(Array(slice)), object.objectValue != nil else {
                throw .invalidInput(place: at, problem: "not a JSON object", fix: "Write one object per line: {\"request_id\": \"…\", \"truth\": 3}.")
            }
            let idValue = object["request_id"] ?? object["id"] ?? object["meta"]?["puid"]
            let id: String
            switch idValue {
            case .string(let s)? where !s.isEmpty: id = s
            case let v? where v.integerDigits != nil: id = v.integerDigits!
            default:
                throw .invalidInput(place: at, problem: "no request_id", fix: "Give each line the request id of the prediction it labels.")
            }
            guard let raw = object["truth"] ?? object["label"] else {
                throw .invalidInput(place: "\(at) (request \(id))", problem: "no truth", fix: "Add \"truth\": the label, value or one-hot list.")
            }
            insert(id, try TruthTable.value(raw, place: "\(at) (request \(id))"))
        }
    }

    static func value(_ raw: JSONValue, place: String) throws(PipelineError) -> Value {
        let fix = "Give a number, a one-hot list such as [0, 1, 0], or {\"data\": {\"ndarray\": [[0, 1, 0]]}}."
        var v = raw
        if let nd = v["data"]?["ndarray"] ?? v["data"]?["tensor"]?["values"] { v = nd }
        if let rows = v.arrayValue, rows.count == 1, rows[0].arrayValue != nil { v = rows[0] }
        if let x = v.doubleValue {
            guard x.isFinite else { throw .invalidInput(place: place, problem: "the truth is not finite", fix: fix) }
            return .number(x)
        }
        guard let list = v.arrayValue, !list.isEmpty, list.count <= 1_000_000 else {
            throw .invalidInput(place: place, problem: "the truth is not a number or a list of numbers", fix: fix)
        }
        var out: [Double] = []
        out.reserveCapacity(list.count)
        for item in list {
            guard let x = item.doubleValue, x.isFinite else { throw .invalidInput(place: place, problem: "the truth list holds a non-number or NaN", fix: fix) }
            out.append(x)
        }
        return out.count == 1 ? .number(out[0]) : .oneHot(out)
    }
}
