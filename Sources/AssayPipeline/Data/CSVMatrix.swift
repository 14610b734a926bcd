import AssayNumerics

/// A numeric CSV with a header row, read as a matrix: one row per record, one column per field.
public enum CSVMatrix {
    /// Splits one CSV record into fields (RFC 4180 quoting; `""` inside quotes is a quote).
    static func fields(_ record: ArraySlice<UInt8>) -> [String] {
        var out: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var i = record.startIndex
        while i < record.endIndex {
            let c = record[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < record.endIndex, record[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 1 } else { inQuotes = false }
                } else {
                    field.append(c)
                }
            } else if c == UInt8(ascii: "\"") {
                inQuotes = true
            } else if c == UInt8(ascii: ",") {
                out.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(c)
            }
            i += 1
        }
        out.append(String(decoding: field, as: UTF8.self))
        return out
    }

    /// Parses a decimal number strictly: optional sign, digits with an optional point, optional
    /// exponent; also `nan`, `inf`, `-inf` (case-insensitive) so non-finite data can be reported
    /// precisely by the detector. Anything else (hex floats, thousands separators, blanks) is
    /// rejected.
    static func number(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: break
        }
        var sawDigit = false, sawPoint = false, sawExp = false, expDigit = true
        let bytes = Array(t.utf8)
        for (i, c) in bytes.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if sawExp { expDigit = true } else { sawDigit = true }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if !(i == 0 || bytes[i - 1] == UInt8(ascii: "e") || bytes[i - 1] == UInt8(ascii: "E")) { return nil }
            case UInt8(ascii: "."):
                if sawPoint || sawExp { return nil }
                sawPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                if sawExp || !sawDigit { return nil }
                sawExp = true
                expDigit = false
            default:
                return nil
            }
        }
        guard sawDigit, expDigit else { return nil }
        return Double(t)
    }

    /// Reads CSV bytes with a header row into a matrix and its column names.
    ///
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` naming the line and column of
    ///   a value that is not a number, a row with the wrong number of fields, or a file with no
    ///   data rows.
    public static func decode(_ bytes: [UInt8], place: String) throws(PipelineError) -> (tensor: Tensor<Double>, columns: [String]) {
        let records = try CSVRecords(bytes, place: place)
        let columns = fields(records.header).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !records.rows.isEmpty else {
            throw .invalidInput(place: place, problem: "the CSV has a header but no data rows", fix: "Add data rows below the header.")
        }
        var scalars: [Double] = []
        scalars.reserveCapacity(records.rows.count * columns.count)
        for (r, record) in records.rows.enumerated() {
            let values = fields(record)
            let line = records.rowLines[r]
            guard values.count == columns.count else {
                throw .invalidInput(place: "\(place): line \(line)", problem: "\(values.count) fields, the header has \(columns.count)",
                                    fix: "Give every row one value per header column.")
            }
            for (c, v) in values.enumerated() {
                guard let x = number(v) else {
                    let shown = v.count > 40 ? String(v.prefix(40)) + "…" : v
                    throw .invalidInput(place: "\(place): line \(line), column \(c + 1) (\(columns[c]))",
                                        problem: "\(shown.debugDescription) is not a number",
                                        fix: "Encode categorical values as numbers (e.g. 0, 1, 2) before using the file as a matrix.")
                }
                scalars.append(x)
            }
        }
        do {
            return (try Tensor(shape: [records.rows.count, columns.count], scalars: scalars), columns)
        } catch {
            throw .invalidInput(place: place, problem: error.description, fix: "")
        }
    }
}

import Foundation
