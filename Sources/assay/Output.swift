import Foundation
import AssayStore

/// Writing to stdout: buffered, flushed before exit; JSON documents with stable, sorted keys.
enum Output {
    nonisolated(unsafe) private static var buffer: [UInt8] = []

    static func line(_ text: String = "") {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0a)
        if buffer.count > 1 << 16 { flush() }
    }

    static func bytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw($0) }
    }

    static func raw(_ bytes: UnsafeRawBufferPointer) {
        flush()
        var offset = 0
        while offset < bytes.count {
            let n = write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    static func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue }; break }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Prints `value` as one compact JSON document with sorted keys.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        buffer.append(contentsOf: data)
        buffer.append(0x0a)
        flush()
    }

    /// `1.2 KiB`-style sizes.
    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes) / 1024
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[i])
    }

    /// Pads `text` to `width` columns.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// A one-line progress indicator on stderr, drawn only when asked (a terminal, no --json/--quiet).
final class Progress {
    private let enabled: Bool
    private let label: String
    private var last = Date.distantPast

    init(_ label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
    }

    func update(done: Int64, total: Int64?) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) > 0.1 else { return }
        last = now
        var text = "\r\(label): \(Output.size(done))"
        if let total, total > 0 {
            text += " / \(Output.size(total)) (\(Int(Double(done) * 100 / Double(total)))%)"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Draws `done of total unit` with a rate, such as `replay: 120000 / 1000000 events (12%), 85000/s`.
    func update(count done: Int, total: Int?, unit: String, started: Date) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) > 0.1 else { return }
        last = now
        var text = "\r\(label): \(done)"
        if let total, total > 0 { text += " / \(total) \(unit) (\(min(100, done * 100 / total))%)" } else { text += " \(unit)" }
        let seconds = now.timeIntervalSince(started)
        if seconds > 0 { text += String(format: ", %.0f/s", Double(done) / seconds) }
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() {
        guard enabled, last != .distantPast else { return }
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
    }
}
