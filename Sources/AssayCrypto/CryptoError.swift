internal import CLibCrypto

/// Errors from the libcrypto wrapper. ``openssl(_:_:)`` is an internal failure (category:
/// internal) unless a caller maps it otherwise; the other cases describe unusable input (a key or
/// PEM file the caller supplied) and say what to supply instead.
public enum CryptoError: Error, CustomStringConvertible, Sendable {
    /// An OpenSSL call failed; carries the function name and OpenSSL's error queue text.
    case openssl(_ function: String, _ detail: String)
    /// The input is not the PEM text expected: empty, no PEM block, the wrong kind of block (a
    /// public key where a private key was expected, or the reverse), or a block that is truncated
    /// or damaged. `detail` says which, and what to supply.
    case invalidPEM(_ detail: String)
    /// The key is well formed but of another algorithm, e.g. RSA or EC where Ed25519 is needed.
    case wrongKeyType(expected: String, found: String)
    /// The private key is encrypted with a passphrase; only unencrypted keys are read.
    case encryptedKey
    /// Raw key bytes of the wrong length.
    case invalidKeyLength(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .openssl(let function, let detail):
            return "libcrypto: \(function) failed: \(detail.isEmpty ? "no detail from OpenSSL" : detail)"
        case .invalidPEM(let detail):
            return "invalid PEM: \(detail)"
        case .wrongKeyType(let expected, let found):
            return "wrong key type: the key is \(found), not \(expected); "
                + "make an Ed25519 key with `openssl genpkey -algorithm ed25519`"
        case .encryptedKey:
            return "the private key is encrypted with a passphrase; passphrases are not supported: "
                + "write an unencrypted copy with `openssl pkey -in KEY.pem -out PLAIN.pem` and keep that file private"
        case .invalidKeyLength(let expected, let actual):
            return "invalid key length: \(actual) bytes, an Ed25519 public key has exactly \(expected)"
        }
    }

    /// Builds an error from OpenSSL's thread-local error queue and clears it.
    static func drainOpenSSL(_ function: String) -> CryptoError {
        .openssl(function, drainOpenSSLQueue())
    }

    /// OpenSSL's pending error strings joined with "; " (empty when there are none); clears the queue.
    static func drainOpenSSLQueue() -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buf, buf.count)
            let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            parts.append(String(decoding: bytes, as: UTF8.self))
        }
        return parts.joined(separator: "; ")
    }
}
