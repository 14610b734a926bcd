import Foundation

/// A fresh directory under the system temporary directory, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let path: String

    public init(prefix: String = "assay-test") throws {
        path = try TemporaryDirectory.makePath(prefix: prefix)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path` + "/" + `name`.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// Writes `bytes` to `name` inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    static func makePath(prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else {
            throw NSError(domain: "TemporaryDirectory", code: Int(errno))
        }
        return (String(cString: p) as NSString).standardizingPath
    }
}
