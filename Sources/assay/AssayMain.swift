import ArgumentParser
import AssayCrypto
import AssayDetectors
import AssayModels
import AssayNumerics
import AssayStore
import Foundation

/// Entry point: parses arguments, runs the command, and maps every error to Assay's exit codes
/// (0 success, 1 a check failed, 2 usage or input error, 3 internal error). argument-parser on
/// its own would exit 64 on usage errors, hence this `main`.
@main
enum AssayMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let wantsJSON = arguments.contains("--json")
        do {
            var command = try Assay.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let exit as CommandExit {
            Output.flush()
            Foundation.exit(exit.code)
        } catch {
            Output.flush()
            let (code, category, message) = classify(error)
            if code == 0 {
                // --help, --version
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if wantsJSON {
                let doc: [String: [String: String]] = ["error": ["category": category, "message": message]]
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let data = (try? encoder.encode(doc)) ?? Data()
                FileHandle.standardError.write(data + Data("\n".utf8))
            } else {
                FileHandle.standardError.write(Data("assay: error: \(message)\n".utf8))
            }
            exit(code)
        }
    }

    /// Exit code, category name and message for an error.
    static func classify(_ error: any Error) -> (Int32, String, String) {
        if let e = error as? any CategorizedError {
            return (code(for: e.category), e.category.rawValue, e.description)
        }
        let code = Assay.exitCode(for: error)
        var message = Assay.fullMessage(for: error)
        // argument-parser starts its messages with "Error: "; ours already says "assay: error:".
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        if code == .success { return (0, "", message) }
        if error is ValidationError || code == .validationFailure || code.rawValue == 64 {
            return (2, ErrorCategory.usage.rawValue, message)
        }
        if let e = error as? DetectorError {
            return (2, ErrorCategory.usage.rawValue, e.description)
        }
        if let e = error as? ModelError {
            return (2, ErrorCategory.usage.rawValue, e.description)
        }
        if let e = error as? CryptoError {
            // A key or signature input problem is the user's to fix; a failing OpenSSL call is ours.
            if case .openssl = e { return (3, ErrorCategory.internal.rawValue, "internal error: \(e). Please report it with the command that caused it.") }
            return (2, ErrorCategory.usage.rawValue, e.description)
        }
        if let e = error as? NumericsError {
            return (2, ErrorCategory.usage.rawValue, e.description)
        }
        if error is DecodingError || error is CocoaError {
            return (2, ErrorCategory.usage.rawValue, String(describing: error))
        }
        return (3, ErrorCategory.internal.rawValue, "internal error: \(error). Please report it with the command that caused it.")
    }

    static func code(for category: ErrorCategory) -> Int32 {
        switch category {
        case .usage: return 2
        case .checkFailed: return 1
        case .internal: return 3
        }
    }
}

/// Thrown by a command that has printed its own result and needs a non-zero exit code (a check
/// that ran and failed).
struct CommandExit: Error {
    var code: Int32
}
