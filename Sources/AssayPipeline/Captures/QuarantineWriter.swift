#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AssayStore
import Foundation

/// Keeps the records an import skipped, verbatim: a header line, then one canonical JSON object
/// per record, `{"line", "problem", "raw"}` with the record's bytes as text, or
/// `{"line", "problem", "raw_base64"}` when they are not UTF-8 (binary garbage).
final class QuarantineWriter {
    private let bodyPath: String
    private let body: SpillWriter
    private var finalPath: String?

    init(path: String) throws(PipelineError) {
        bodyPath = path + "-body"
        body = try SpillWriter(path: bodyPath)
    }

    func write(line: Int, problem: String, raw: [UInt8]) throws {
        var o: [String: JSONValue] = ["line": JSONValue(line), "problem": .string(problem)]
        if let text = String(validating: raw, as: UTF8.self) {
            o["raw"] = .string(text)
        } else {
            o["raw_base64"] = .string(Data(raw).base64EncodedString())
        }
        try body.writeRaw(try JSONValue.object(o).canonicalBytes() + [0x0a])
    }

    /// Writes the header and the records to one file and returns its path.
    func finish(header: JSONValue) throws -> String {
        try body.close()
        let path = bodyPath + "-final"
        let out = try SpillWriter(path: path)
        finalPath = path
        try out.writeRaw(try header.canonicalBytes() + [0x0a])
        let reader = try LineReader(path: bodyPath)
        while let line = try reader.next() {
            try out.writeRaw(line)
            try out.writeRaw([0x0a])
        }
        try out.close()
        return path
    }

    /// Removes the temporary files.
    func discard() {
        unlink(bodyPath)
        if let finalPath { unlink(finalPath) }
    }
}
