import Foundation
import AssayStore

/// Reads a CSV capture with a header row (format `csv`, RFC 4180 quoting; a quoted field may
/// span lines). Columns `request_id`, `timestamp` (RFC 3339 or Unix seconds), `model` and
/// `truth` have their meaning; every other column is a feature, in header order. A row's
/// features are `FP64` when every field is a number or empty (`null`), `BYTES` when none is a
/// number, otherwise `JSON` (numbers and strings as they are).
final class CSVSource {
    private let reader: LineReader
    private let place: String
    private var header: [String]?

    init(path: String, place: String) throws(PipelineError) {
        reader = try LineReader(path: path)
        self.place = place
    }

    /// The next record (lines joined while a quote is open) and its first line number.
    private func record() throws(PipelineError) -> (text: [UInt8], line: Int, unterminated: Bool)? {
        while let first = try reader.next() {
            var text = Array(first)
            if text.isEmpty { continue }
            let line = reader.lineNumber
            var quotes = text.reduce(0) { $0 + ($1 == UInt8(ascii: "\"") ? 1 : 0) }
            while quotes % 2 == 1 {
                guard let more = try reader.next() else { return (text, line, true) }
                text += [0x0a] + more
                quotes += more.reduce(0) { $0 + ($1 == UInt8(ascii: "\"") ? 1 : 0) }
            }
            return (text, line, false)
        }
        return nil
    }

    func next() throws(PipelineError) -> CaptureSourceItem? {
        if header == nil {
            guard let h = try record() else { return nil }
            guard !h.text.contains(0), String(validating: h.text, as: UTF8.self) != nil else {
                throw .invalidInput(place: "\(place): line \(h.line)", problem: "binary data, not a CSV header", fix: "Pass a CSV text file with a header row.")
            }
            let names = CSVMatrix.fields(h.text[...]).map { $0.trimmingCharacters(in: .whitespaces) }
            if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw .invalidInput(place: "\(place): line \(h.line)", problem: "the header names column \(duplicate) twice", fix: "Give every column a distinct name.")
            }
            header = names
        }
        guard let names = header, let r = try record() else { return nil }
        if r.unterminated {
            return .bad(line: r.line, raw: r.text, problem: CaptureProblem("a quoted field is never closed (the file may be truncated)"))
        }
        guard !r.text.contains(0), String(validating: r.text, as: UTF8.self) != nil else {
            return .bad(line: r.line, raw: r.text, problem: CaptureProblem("binary data, not CSV text"))
        }
        let fields = CSVMatrix.fields(r.text[...])
        guard fields.count == names.count else {
            return .bad(line: r.line, raw: r.text, problem: CaptureProblem("\(fields.count) fields, the header has \(names.count)",
                                                                           fix: reader.lastLineWasUnterminated ? "The last line has no line break: the file may be truncated." : "Every row needs one field per header column."))
        }
        var e = CaptureEvent(status: .row)
        var featureNames: [String] = []
        var values: [JSONValue] = []
        for (name, field) in zip(names, fields) {
            let trimmed = field.trimmingCharacters(in: .whitespaces)
            switch name {
            case RowValues.requestIDColumn:
                e.requestID = trimmed.isEmpty ? nil : trimmed
            case RowValues.timestampColumn:
                if trimmed.isEmpty { continue }
                guard let t = CaptureTimestamp(parsing: trimmed) else {
                    return .bad(line: r.line, raw: r.text, problem: CaptureProblem("timestamp \(trimmed) is neither RFC 3339 nor Unix seconds"))
                }
                e.timestamp = t
            case RowValues.modelColumn:
                e.model = trimmed.isEmpty ? nil : trimmed
            case RowValues.truthColumn:
                if trimmed.isEmpty { continue }
                let value: JSONValue = CSVMatrix.number(trimmed).map { $0.isFinite ? .double($0) : .null } ?? .string(field)
                do { e.truth = [try RowValues.truth(value)] } catch {
                    return .bad(line: r.line, raw: r.text, problem: error)
                }
                e.truthLine = r.line
            default:
                featureNames.append(name)
                if trimmed.isEmpty {
                    values.append(.null)
                } else if let d = CSVMatrix.number(trimmed) {
                    values.append(d.isFinite ? .double(d) : .null)
                } else {
                    values.append(.string(field))
                }
            }
        }
        guard !featureNames.isEmpty else {
            throw .invalidInput(place: "\(place): line 1", problem: "the header has no feature columns", fix: "Give the CSV at least one column besides request_id, timestamp, model and truth.")
        }
        e.inputs = [RowValues.features(featureNames, values)]
        e.requestLine = r.line
        return .event(e)
    }
}
