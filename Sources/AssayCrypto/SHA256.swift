internal import CLibCrypto

/// Streaming SHA-256 through OpenSSL's EVP interface.
///
/// Feed bytes with ``update(_:)`` as many times as needed, then call ``finalize()`` once.
/// Memory use is constant whatever the input length.
///
/// ```swift
/// var h = try SHA256()
/// try h.update(Array("abc".utf8))
/// let hex = try h.finalize().hex   // "ba7816bf…"
/// ```
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    /// Starts a new digest.
    /// - Throws: ``CryptoError/openssl(_:_:)`` when OpenSSL cannot allocate or initialise.
    public init() throws(CryptoError) {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.drainOpenSSL("EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            throw CryptoError.drainOpenSSL("EVP_DigestInit_ex")
        }
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else {
            throw CryptoError.drainOpenSSL("EVP_DigestUpdate")
        }
    }

    /// Adds bytes to the digest.
    public mutating func update(_ bytes: some Collection<UInt8>) throws(CryptoError) {
        let ctx = context
        let status = bytes.withContiguousStorageIfAvailable { buf in
            buf.isEmpty ? 1 : EVP_DigestUpdate(ctx, buf.baseAddress, buf.count)
        } ?? Array(bytes).withUnsafeBufferPointer { buf in
            buf.isEmpty ? 1 : EVP_DigestUpdate(ctx, buf.baseAddress, buf.count)
        }
        guard status == 1 else { throw CryptoError.drainOpenSSL("EVP_DigestUpdate") }
    }

    /// Finishes the digest and returns its 32 bytes. The value must not be used afterwards.
    public consuming func finalize() throws(CryptoError) -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &len) }
        guard ok == 1, len == 32 else { throw CryptoError.drainOpenSSL("EVP_DigestFinal_ex") }
        return Digest(bytes: out)
    }

    /// The SHA-256 of `bytes`, in one call.
    public static func hash(_ bytes: some Collection<UInt8>) throws(CryptoError) -> Digest {
        var h = try SHA256()
        try h.update(bytes)
        return try h.finalize()
    }
}

extension SHA256 {
    /// A 32-byte SHA-256 digest.
    public struct Digest: Hashable, Sendable, CustomStringConvertible {
        /// The 32 digest bytes.
        public let bytes: [UInt8]

        /// Wraps 32 bytes; precondition: `bytes.count == 32`.
        public init(bytes: [UInt8]) {
            precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
            self.bytes = bytes
        }

        /// Lowercase hexadecimal, 64 characters.
        public var hex: String { Hex.encode(bytes) }

        public var description: String { hex }
    }
}

/// Lowercase hexadecimal encoding and strict decoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hexadecimal.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hexadecimal (either case); `nil` when the length is odd or a character is not hex.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// Whether `c` is an ASCII hexadecimal digit in lowercase.
    public static func isLowerHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
