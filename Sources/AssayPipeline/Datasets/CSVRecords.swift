/// Splits CSV bytes (RFC 4180) into records without decoding fields: a record ends at a line
/// break outside double quotes, so quoted fields may hold line breaks. Each record keeps its
/// bytes exactly, without the line break; `\r\n` and `\n` both end a record.
public struct CSVRecords: Sendable {
    /// The header record's bytes.
    public let header: ArraySlice<UInt8>
    /// The data records, in file order.
    public let rows: [ArraySlice<UInt8>]
    /// 1-based line number where each data record starts (for error messages).
    public let rowLines: [Int]

    /// Splits `bytes`; `place` names the source in errors.
    ///
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` for an empty file, a file
    ///   without a header, a quote left open at the end, or a NUL byte (binary data).
    /// - Complexity: O(n), one pass.
    public init(_ bytes: [UInt8], place: String) throws(PipelineError) {
        var records: [ArraySlice<UInt8>] = []
        var lines: [Int] = []
        var start = 0
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c == 0 {
                throw .invalidInput(place: "\(place): line \(line), byte \(i)", problem: "a NUL byte: this is not a CSV text file", fix: "Pass a CSV file with a header row.")
            }
            if c == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if c == UInt8(ascii: "\n") {
                line += 1
                if !inQuotes {
                    var end = i
                    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    records.append(bytes[start..<end])
                    lines.append(recordLine)
                    start = i + 1
                    recordLine = line
                }
            }
            i += 1
        }
        if inQuotes {
            throw .invalidInput(place: "\(place): line \(recordLine)", problem: "a quoted field is never closed", fix: "Close the quote or remove the stray \" character.")
        }
        if start < n {
            var end = n
            if bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            records.append(bytes[start..<end])
            lines.append(recordLine)
        }
        // Blank lines carry no record.
        var kept: [ArraySlice<UInt8>] = []
        var keptLines: [Int] = []
        for (r, l) in zip(records, lines) where !r.isEmpty {
            kept.append(r)
            keptLines.append(l)
        }
        guard let first = kept.first else {
            throw .invalidInput(place: place, problem: "the file is empty", fix: "Pass a CSV file with a header row and data rows.")
        }
        header = first
        rows = Array(kept.dropFirst())
        rowLines = Array(keptLines.dropFirst())
    }
}
