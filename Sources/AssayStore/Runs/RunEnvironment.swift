import Foundation

/// The version of Assay recorded in every run and printed by `assay --version`.
public enum AssayVersion {
    public static let current = "0.1.0"
}

/// Where a run executed: recorded beside the run, never inside a recipe digest or hashed output.
public enum RunEnvironment {
    /// `{"arch","build","cpu","cpus","os","swift","tool","tool_version"}` for this process.
    public static let current: JSONValue = {
        var uts = utsname()
        uname(&uts)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        #if compiler(>=6.3)
        let swift = "6.3+"
        #elseif compiler(>=6.0)
        let swift = "6.x"
        #else
        let swift = "5.x"
        #endif
        return .object([
            "tool": .string("assay"),
            "tool_version": .string(AssayVersion.current),
            "os": .string(field(uts.sysname) + " " + field(uts.release)),
            "arch": .string(field(uts.machine)),
            "cpu": .string(cpuModel() ?? "unknown"),
            "cpus": .integer(String(ProcessInfo.processInfo.activeProcessorCount)),
            "build": .string(build),
            "swift": .string(swift),
        ])
    }()

    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
