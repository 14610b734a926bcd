import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The result of running a child process to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// Set when the child was killed by a signal.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String
}

/// Spawns processes with `posix_spawn` and waits with `waitpid`, so tests get exit codes and
/// signals, and can kill a child at a chosen moment. (Measure a child's peak memory with
/// `/usr/bin/time`: `posix_spawn` uses vfork, so rusage would include the test runner's own peak.)
public enum ChildProcess {
    /// Runs `executable` with `arguments` to completion, capturing stdout and stderr.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           currentDirectory: String? = nil, stdin: String? = nil) throws -> ProcessResult {
        let handle = try spawn(executable, arguments, environment: environment, currentDirectory: currentDirectory, stdin: stdin)
        return handle.wait()
    }

    /// A running child.
    public final class Handle: @unchecked Sendable {
        // @unchecked: used from one thread at a time by the test that owns it.
        public let pid: pid_t
        let stdoutPath: String
        let stderrPath: String
        let directory: String

        init(pid: pid_t, stdoutPath: String, stderrPath: String, directory: String) {
            self.pid = pid
            self.stdoutPath = stdoutPath
            self.stderrPath = stderrPath
            self.directory = directory
        }

        /// Sends `signal` to the child.
        public func kill(_ signal: Int32 = SIGKILL) {
            _ = Glibc.kill(pid, signal)
        }

        /// Waits for the child to end and collects its output.
        public func wait() -> ProcessResult {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: directory)
            let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
            return ProcessResult(status: signalled ? -1 : (status >> 8) & 0xff,
                                 signal: signalled ? status & 0x7f : nil,
                                 stdout: out, stderr: err)
        }
    }

    /// Starts `executable`; stdout and stderr go to temporary files read by ``Handle/wait()``.
    public static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                             currentDirectory: String? = nil, stdin: String? = nil) throws -> Handle {
        let dir = try TemporaryDirectory.makePath(prefix: "assay-proc")
        let outPath = dir + "/stdout", errPath = dir + "/stderr", inPath = dir + "/stdin"
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let env = environment ?? ProcessInfo.processInfo.environment
        // `env -C DIR` changes directory then execs the program (same pid, so rusage is its own).
        let program = currentDirectory == nil ? executable : "/usr/bin/env"
        let fullArguments = currentDirectory.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]
        let argv = (fullArguments + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard rc == 0 else {
            throw NSError(domain: "ChildProcess", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable): \(String(cString: strerror(rc)))"])
        }
        return Handle(pid: pid, stdoutPath: outPath, stderrPath: errPath, directory: dir)
    }
}
