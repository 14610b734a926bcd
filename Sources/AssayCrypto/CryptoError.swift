internal import CLibCrypto

/// Errors from the libcrypto wrapper. These are internal failures (category: internal) unless a
/// caller maps them otherwise.
public enum CryptoError: Error, CustomStringConvertible, Sendable {
    /// An OpenSSL call failed; carries the function name and OpenSSL's error queue text.
    case openssl(_ function: String, _ detail: String)

    public var description: String {
        switch self {
        case .openssl(let function, let detail):
            return "libcrypto: \(function) failed: \(detail.isEmpty ? "no detail from OpenSSL" : detail)"
        }
    }

    /// Builds an error from OpenSSL's thread-local error queue and clears it.
    static func drainOpenSSL(_ function: String) -> CryptoError {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buf, buf.count)
            let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            parts.append(String(decoding: bytes, as: UTF8.self))
        }
        return .openssl(function, parts.joined(separator: "; "))
    }
}
