internal import CLibCrypto

/// An Ed25519 private key. Holds an OpenSSL `EVP_PKEY` (freed on deinit); the key bytes never
/// live in Swift arrays, only in OpenSSL's memory.
///
/// ```swift
/// let key = try Ed25519PrivateKey(pem: pemBytes)
/// let signature = try key.sign(message)                 // 64 bytes
/// let ok = try key.publicKey().isValidSignature(signature, for: message)
/// ```
public final class Ed25519PrivateKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is never mutated after init; OpenSSL allows concurrent use of a
    // key from several threads, each with its own EVP_MD_CTX.
    private let pkey: OpaquePointer

    private init(taking pkey: OpaquePointer) {
        self.pkey = pkey
    }

    deinit { EVP_PKEY_free(pkey) }

    /// A new random key, from OpenSSL's RNG.
    /// - Throws: ``CryptoError/openssl(_:_:)`` when OpenSSL cannot generate a key.
    public static func generate() throws(CryptoError) -> Ed25519PrivateKey {
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw CryptoError.drainOpenSSL("EVP_PKEY_CTX_new_id")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else { throw CryptoError.drainOpenSSL("EVP_PKEY_keygen_init") }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen(ctx, &key) == 1, let key else { throw CryptoError.drainOpenSSL("EVP_PKEY_keygen") }
        return Ed25519PrivateKey(taking: key)
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), as
    /// `openssl genpkey -algorithm ed25519` writes it.
    ///
    /// - Throws: ``CryptoError/invalidPEM(_:)`` for empty input, text without a private key block
    ///   (a public key, a certificate), or a truncated or damaged block;
    ///   ``CryptoError/wrongKeyType(expected:found:)`` for an RSA, EC or other non-Ed25519 key;
    ///   ``CryptoError/encryptedKey`` for a passphrase-protected key (never prompts).
    public init(pem: [UInt8]) throws(CryptoError) {
        let labels = try PEMText.labels(pem, expecting: "PRIVATE KEY")
        if labels.contains("ENCRYPTED PRIVATE KEY") || PEMText.hasLegacyEncryptionHeader(pem) {
            throw CryptoError.encryptedKey
        }
        guard labels.contains(where: { $0.hasSuffix("PRIVATE KEY") }) else {
            if labels.contains(where: { $0.hasSuffix("PUBLIC KEY") }) {
                throw CryptoError.invalidPEM("this is a public key (\(PEMText.describe(labels))) where a private key is needed; "
                    + "give the private key file (-----BEGIN PRIVATE KEY-----), e.g. from `openssl genpkey -algorithm ed25519`")
            }
            throw CryptoError.invalidPEM("found \(PEMText.describe(labels)), not a private key; "
                + "expected a PKCS#8 -----BEGIN PRIVATE KEY----- block as `openssl genpkey -algorithm ed25519` writes it")
        }
        let bio = try MemoryBIO(secure: true, contents: pem)
        ERR_clear_error()
        // A callback that refuses: with none, OpenSSL would prompt on the terminal for a passphrase.
        guard let key = PEM_read_bio_PrivateKey(bio.bio, nil, { _, _, _, _ in -1 }, nil) else {
            let reason = CryptoError.drainOpenSSLQueue()
            throw CryptoError.invalidPEM(PEMText.decodeFailure(pem, kind: "private", reason: reason))
        }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            let found = keyTypeName(key)
            EVP_PKEY_free(key)
            throw CryptoError.wrongKeyType(expected: "Ed25519", found: found)
        }
        self.pkey = key
    }

    /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). The bytes are the
    /// secret key: write them only where private keys belong.
    public func pkcs8PEM() throws(CryptoError) -> [UInt8] {
        let bio = try MemoryBIO(secure: true)
        guard PEM_write_bio_PKCS8PrivateKey(bio.bio, pkey, nil, nil, 0, nil, nil) == 1 else {
            throw CryptoError.drainOpenSSL("PEM_write_bio_PKCS8PrivateKey")
        }
        return bio.contents()
    }

    /// The matching public key.
    public func publicKey() throws(CryptoError) -> Ed25519PublicKey {
        var raw = [UInt8](repeating: 0, count: Ed25519PublicKey.byteCount)
        var length = raw.count
        let ok = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(pkey, $0.baseAddress, &length) }
        guard ok == 1, length == Ed25519PublicKey.byteCount else {
            throw CryptoError.drainOpenSSL("EVP_PKEY_get_raw_public_key")
        }
        return try Ed25519PublicKey(raw: raw)
    }

    /// The 64-byte Ed25519 signature of `message` (pure Ed25519, RFC 8032; deterministic: the same
    /// key and message give the same bytes).
    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.drainOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1 else {
            throw CryptoError.drainOpenSSL("EVP_DigestSignInit")
        }
        var signature = [UInt8](repeating: 0, count: Ed25519PublicKey.signatureByteCount)
        var length = signature.count
        let ok = signature.withUnsafeMutableBufferPointer { sig in
            withBytes(message) { EVP_DigestSign(ctx, sig.baseAddress, &length, $0, $1) }
        }
        guard ok == 1, length == Ed25519PublicKey.signatureByteCount else {
            throw CryptoError.drainOpenSSL("EVP_DigestSign")
        }
        return signature
    }
}

/// An Ed25519 public key: its 32 raw bytes.
public struct Ed25519PublicKey: Sendable, Hashable {
    static let byteCount = 32
    static let signatureByteCount = 64

    /// The 32 raw key bytes (RFC 8032 encoding).
    public let raw: [UInt8]
    private let id: String

    /// Wraps 32 raw key bytes.
    /// - Throws: ``CryptoError/invalidKeyLength(expected:actual:)`` unless `raw` has exactly 32 bytes.
    public init(raw: [UInt8]) throws(CryptoError) {
        guard raw.count == Self.byteCount else {
            throw CryptoError.invalidKeyLength(expected: Self.byteCount, actual: raw.count)
        }
        self.raw = raw
        self.id = try SHA256.hash(raw).hex
    }

    /// Reads an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`), as `openssl pkey -pubout` writes it.
    ///
    /// - Throws: ``CryptoError/invalidPEM(_:)`` for empty input, text without a public key block
    ///   (a private key, a certificate), or a truncated or damaged block;
    ///   ``CryptoError/wrongKeyType(expected:found:)`` for an RSA, EC or other non-Ed25519 key.
    public init(pem: [UInt8]) throws(CryptoError) {
        let labels = try PEMText.labels(pem, expecting: "PUBLIC KEY")
        guard labels.contains("PUBLIC KEY") else {
            if let legacy = labels.first(where: { $0.hasSuffix(" PUBLIC KEY") }) {
                throw CryptoError.wrongKeyType(expected: "Ed25519", found: String(legacy.dropLast(" PUBLIC KEY".count)))
            }
            if labels.contains(where: { $0.hasSuffix("PRIVATE KEY") }) {
                throw CryptoError.invalidPEM("this is a private key (\(PEMText.describe(labels))) where a public key is needed; "
                    + "give the public key file (-----BEGIN PUBLIC KEY-----), made with `openssl pkey -in KEY.pem -pubout`, "
                    + "and keep the private key file private")
            }
            throw CryptoError.invalidPEM("found \(PEMText.describe(labels)), not a public key; "
                + "expected an SPKI -----BEGIN PUBLIC KEY----- block as `openssl pkey -in KEY.pem -pubout` writes it")
        }
        let bio = try MemoryBIO(secure: false, contents: pem)
        ERR_clear_error()
        guard let key = PEM_read_bio_PUBKEY(bio.bio, nil, { _, _, _, _ in -1 }, nil) else {
            let reason = CryptoError.drainOpenSSLQueue()
            throw CryptoError.invalidPEM(PEMText.decodeFailure(pem, kind: "public", reason: reason))
        }
        defer { EVP_PKEY_free(key) }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            throw CryptoError.wrongKeyType(expected: "Ed25519", found: keyTypeName(key))
        }
        var raw = [UInt8](repeating: 0, count: Self.byteCount)
        var length = raw.count
        let ok = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(key, $0.baseAddress, &length) }
        guard ok == 1, length == Self.byteCount else { throw CryptoError.drainOpenSSL("EVP_PKEY_get_raw_public_key") }
        try self.init(raw: raw)
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    public func spkiPEM() throws(CryptoError) -> [UInt8] {
        let key = try makeEVPKey()
        defer { EVP_PKEY_free(key) }
        let bio = try MemoryBIO(secure: false)
        guard PEM_write_bio_PUBKEY(bio.bio, key) == 1 else { throw CryptoError.drainOpenSSL("PEM_write_bio_PUBKEY") }
        return bio.contents()
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` by this key. False for a
    /// signature of the wrong length or any OpenSSL failure; never throws.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureByteCount else { return false }
        guard let key = try? makeEVPKey() else { return false }
        defer { EVP_PKEY_free(key) }
        guard let ctx = EVP_MD_CTX_new() else {
            ERR_clear_error()
            return false
        }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let status = signature.withUnsafeBufferPointer { sig in
            withBytes(message) { EVP_DigestVerify(ctx, sig.baseAddress, sig.count, $0, $1) }
        }
        if status != 1 { ERR_clear_error() }
        return status == 1
    }

    /// Lower-case hexadecimal SHA-256 of ``raw``: the key id used in signatures.
    public var keyID: String { id }

    /// A new `EVP_PKEY` for the raw key; the caller frees it.
    private func makeEVPKey() throws(CryptoError) -> OpaquePointer {
        let key = raw.withUnsafeBufferPointer { EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count) }
        guard let key else { throw CryptoError.drainOpenSSL("EVP_PKEY_new_raw_public_key") }
        return key
    }
}

/// OpenSSL's short name for the key's algorithm ("RSA", "EC", "X25519"…).
private func keyTypeName(_ key: OpaquePointer) -> String {
    if let name = EVP_PKEY_get0_type_name(key) { return String(cString: name) }
    if let name = OBJ_nid2sn(EVP_PKEY_get_id(key)) { return String(cString: name) }
    return "unknown"
}

/// Calls `body` with a pointer to `bytes` and their count; the pointer is never null, even for an
/// empty array (OpenSSL refuses a null message pointer in some versions).
private func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if bytes.isEmpty {
        var zero: UInt8 = 0
        return withUnsafePointer(to: &zero) { body($0, 0) }
    }
    return bytes.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
}

/// An OpenSSL memory BIO, freed on deinit. The secure variant clears its buffer when freed.
private final class MemoryBIO {
    let bio: OpaquePointer

    init(secure: Bool) throws(CryptoError) {
        guard let bio = BIO_new(secure ? BIO_s_secmem() : BIO_s_mem()) else { throw CryptoError.drainOpenSSL("BIO_new") }
        self.bio = bio
    }

    convenience init(secure: Bool, contents: [UInt8]) throws(CryptoError) {
        try self.init(secure: secure)
        guard contents.count <= Int(Int32.max) else {
            throw CryptoError.invalidPEM("the input is \(contents.count) bytes, far too large for a PEM key file")
        }
        let written = contents.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        guard written == Int32(contents.count) else { throw CryptoError.drainOpenSSL("BIO_write") }
    }

    deinit { BIO_free(bio) }

    /// The bytes written so far.
    func contents() -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let length = assay_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

/// Just enough PEM parsing to name what a file holds before OpenSSL decodes it, so errors can
/// say "this is a public key" rather than OpenSSL's "no start line".
private enum PEMText {
    /// The labels of the `-----BEGIN LABEL-----` lines in `pem`, in order.
    /// - Throws: ``CryptoError/invalidPEM(_:)`` when `pem` is empty or has no BEGIN line.
    static func labels(_ pem: [UInt8], expecting expected: String) throws(CryptoError) -> [String] {
        let example = expected == "PRIVATE KEY"
            ? "as `openssl genpkey -algorithm ed25519` writes it"
            : "as `openssl pkey -in KEY.pem -pubout` writes it"
        guard !pem.isEmpty else {
            throw CryptoError.invalidPEM("the input is empty; expected a -----BEGIN \(expected)----- block \(example)")
        }
        let begin = Array("-----BEGIN ".utf8), dashes = Array("-----".utf8)
        var labels: [String] = []
        var i = 0
        while let start = find(begin, in: pem, from: i) {
            let labelStart = start + begin.count
            guard let end = find(dashes, in: pem, from: labelStart) else { break }
            labels.append(String(decoding: pem[labelStart..<end], as: UTF8.self))
            i = end + dashes.count
        }
        guard !labels.isEmpty else {
            throw CryptoError.invalidPEM("no -----BEGIN \(expected)----- line: the input is not a PEM file; "
                + "expected a -----BEGIN \(expected)----- block \(example)")
        }
        return labels
    }

    /// Why OpenSSL could not decode a block: a missing END line (the file was cut short) or
    /// damaged contents, with OpenSSL's `reason`.
    static func decodeFailure(_ pem: [UInt8], kind: String, reason: String) -> String {
        let openSSL = reason.isEmpty ? "" : " (OpenSSL says \(reason))"
        if find(Array("-----END ".utf8), in: pem, from: 0) == nil {
            return "cannot decode the \(kind) key block: it has no -----END line, so the file looks truncated; "
                + "copy the whole file again\(openSSL)"
        }
        return "cannot decode the \(kind) key block: its contents are truncated or damaged; "
            + "copy the whole file again or make a new key\(openSSL)"
    }

    /// Whether a traditional (pre-PKCS#8) PEM block says it is encrypted.
    static func hasLegacyEncryptionHeader(_ pem: [UInt8]) -> Bool {
        find(Array("Proc-Type: 4,ENCRYPTED".utf8), in: pem, from: 0) != nil
    }

    /// "a CERTIFICATE block", "PUBLIC KEY and CERTIFICATE blocks".
    static func describe(_ labels: [String]) -> String {
        labels.count == 1 ? "a \(labels[0]) block" : labels.joined(separator: ", ") + " blocks"
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = from
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
